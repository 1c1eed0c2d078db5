import Foundation

/// One ordered rule: when an appeal matches `when`, the named policy applies.
///
/// JSON: `{"when": {"channel": "deputy", "tier": ["research"]}, "policy": "deputy-research"}`. Each of `channel`,
/// `kind`, `tier` and `urgency` is a value or a list of values (any of them matches); a missing key matches
/// everything, so `"when": {}` is a catch-all. Unknown keys are refused (a typo must not widen a rule).
public struct DeadlineRule: Hashable, Sendable, Codable {
    /// What a rule matches.
    public struct Condition: Hashable, Sendable, Codable {
        public var channels: Set<Channel>?
        public var kinds: Set<AppealKind>?
        public var tiers: Set<HandlingTier>?
        public var urgencies: Set<Urgency>?

        public init(channels: Set<Channel>? = nil, kinds: Set<AppealKind>? = nil, tiers: Set<HandlingTier>? = nil,
                    urgencies: Set<Urgency>? = nil) {
            self.channels = channels
            self.kinds = kinds
            self.tiers = tiers
            self.urgencies = urgencies
        }

        /// True when no criterion is set.
        public var isCatchAll: Bool { channels == nil && kinds == nil && tiers == nil && urgencies == nil }

        public func matches(channel: Channel, kind: AppealKind, tier: HandlingTier, urgency: Urgency) -> Bool {
            (channels?.contains(channel) ?? true) && (kinds?.contains(kind) ?? true)
                && (tiers?.contains(tier) ?? true) && (urgencies?.contains(urgency) ?? true)
        }

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
            static let channel = Key(stringValue: "channel")
            static let kind = Key(stringValue: "kind")
            static let tier = Key(stringValue: "tier")
            static let urgency = Key(stringValue: "urgency")
            static let all: [Key] = [.channel, .kind, .tier, .urgency]
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for key in container.allKeys where !Key.all.contains(where: { $0.stringValue == key.stringValue }) {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container,
                    debugDescription: "unknown criterion '\(key.stringValue)' (expected channel, kind, tier or urgency)")
            }
            func values<T>(_ key: Key, _ what: String, _ expected: String, _ make: (String) -> T?) throws -> Set<T>? {
                guard container.contains(key) else { return nil }
                let texts: [String]
                if let single = try? container.decode(String.self, forKey: key) {
                    texts = [single]
                } else {
                    texts = try container.decode([String].self, forKey: key)
                }
                guard !texts.isEmpty else {
                    throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                           debugDescription: "empty list matches nothing")
                }
                return Set(try texts.map { text in
                    guard let value = make(text) else {
                        throw DecodingError.dataCorruptedError(
                            forKey: key, in: container, debugDescription: "unknown \(what) '\(text)' (expected \(expected))")
                    }
                    return value
                })
            }
            channels = try values(.channel, "channel", "a code of [a-z0-9-]{1,32}") { Channel(rawValue: $0) }
            kinds = try values(.kind, "kind", AppealKind.allCases.map(\.rawValue).joined(separator: ", ")) {
                AppealKind(rawValue: $0)
            }
            tiers = try values(.tier, "tier", HandlingTier.allCases.map(\.rawValue).joined(separator: ", ")) {
                HandlingTier(rawValue: $0)
            }
            urgencies = try values(.urgency, "urgency", Urgency.allCases.map(\.rawValue).joined(separator: ", ")) {
                Urgency(rawValue: $0)
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            func put(_ key: Key, _ values: [String]?) throws {
                guard let values else { return }
                let sorted = values.sorted()
                if sorted.count == 1 { try container.encode(sorted[0], forKey: key) } else {
                    try container.encode(sorted, forKey: key)
                }
            }
            try put(.channel, channels.map { $0.map(\.rawValue) })
            try put(.kind, kinds.map { $0.map(\.rawValue) })
            try put(.tier, tiers.map { $0.map(\.rawValue) })
            try put(.urgency, urgencies.map { $0.map(\.rawValue) })
        }
    }

    public var when: Condition
    /// The name of a policy of the same set.
    public var policy: String

    public init(when: Condition, policy: String) {
        self.when = when
        self.policy = policy
    }

    private enum CodingKeys: String, CodingKey { case when, policy }

    public init(from decoder: any Decoder) throws {
        try StrictKeys.refuseUnknown(in: decoder, allowed: ["when", "policy"])
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(when: try container.decode(Condition.self, forKey: .when),
                  policy: try container.decode(String.self, forKey: .policy))
    }
}

/// A policy set that cannot be used, with where and why.
public struct DeadlinePolicyError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    public var source: String?
    public var reason: String

    public init(source: String? = nil, reason: String) {
        self.source = source
        self.reason = reason
    }

    public var description: String { source.map { "\($0): \(reason)" } ?? reason }
    public var errorDescription: String? { description }
}

/// A jurisdiction's deadline policies, as data: named policies, ordered rules choosing the reply-by policy by
/// channel, kind, tier and urgency (the first rule that matches wins; one rule must be a catch-all), the policies
/// for returning an out-of-scope appeal and for signing (签收), the extension rule and the warning shares.
///
/// The defaults ship as `Resources/deadline-policies.json` (see ``builtIn()``); a jurisdiction loads its own file
/// of the same format with ``load(contentsOf:)``.
public struct DeadlinePolicySet: Hashable, Sendable, Codable {
    /// Every policy, in file order; names are unique.
    public let policies: [DeadlinePolicy]
    /// The reply-by rules, in order.
    public let rules: [DeadlineRule]
    /// The policy for returning an out-of-scope appeal (不予受理 / 退回), 2 working days by default.
    public let rejection: DeadlinePolicy
    /// The sign-by policy (签收时限), 1 working day by default.
    public let signBy: DeadlinePolicy
    /// Extension limits (≤ 10 working days, once per round by default).
    public let extensionRule: ExtensionRule
    /// Elapsed shares at which a warning (黄灯) is raised, ascending, each in (0, 1): `[0.6, 0.8]` by default.
    public let warningShares: [Double]
    /// The jurisdiction's office hours (办公时间): due times fall at their close, and working time (warnings, pauses,
    /// extensions) is counted within them. 09:00–17:00 by default.
    public let officeHours: OfficeHours

    private let byName: [String: DeadlinePolicy]

    /// Validates and builds a set.
    /// - Throws: ``DeadlinePolicyError`` for a duplicate or empty policy name, a rule naming an unknown policy, no
    ///   catch-all rule, unknown rejection or sign-by policy, an extension rule below 1 day, or bad warning shares.
    public init(policies: [DeadlinePolicy], rules: [DeadlineRule], rejectionPolicy: String, signByPolicy: String,
                extensionRule: ExtensionRule = .standard, warningShares: [Double] = [0.6, 0.8],
                officeHours: OfficeHours = .standard) throws {
        var byName: [String: DeadlinePolicy] = [:]
        for (index, policy) in policies.enumerated() {
            guard !policy.name.isEmpty else {
                throw DeadlinePolicyError(reason: "policies[\(index)]: empty name")
            }
            guard byName.updateValue(policy, forKey: policy.name) == nil else {
                throw DeadlinePolicyError(reason: "policies[\(index)]: the name '\(policy.name)' is used twice")
            }
        }
        for (index, rule) in rules.enumerated() where byName[rule.policy] == nil {
            throw DeadlinePolicyError(reason: "rules[\(index)]: unknown policy '\(rule.policy)'")
        }
        guard rules.contains(where: { $0.when.isCatchAll }) else {
            throw DeadlinePolicyError(reason: "no catch-all rule (\"when\": {}): some appeals would have no policy")
        }
        guard let rejection = byName[rejectionPolicy] else {
            throw DeadlinePolicyError(reason: "rejectionPolicy: unknown policy '\(rejectionPolicy)'")
        }
        guard let signBy = byName[signByPolicy] else {
            throw DeadlinePolicyError(reason: "signByPolicy: unknown policy '\(signByPolicy)'")
        }
        guard extensionRule.maxWorkingDays >= 1, extensionRule.maxPerRound >= 0 else {
            throw DeadlinePolicyError(reason: "extension: maxWorkingDays must be ≥ 1 and maxPerRound ≥ 0")
        }
        guard warningShares.allSatisfy({ $0 > 0 && $0 < 1 }), warningShares == warningShares.sorted() else {
            throw DeadlinePolicyError(reason: "warningShares must be ascending, each between 0 and 1 (exclusive)")
        }
        self.policies = policies
        self.rules = rules
        self.rejection = rejection
        self.signBy = signBy
        self.extensionRule = extensionRule
        self.warningShares = warningShares
        self.officeHours = officeHours
        self.byName = byName
    }

    /// The reply-by policy for an appeal: the first rule that matches.
    public func policy(channel: Channel, kind: AppealKind, tier: HandlingTier, urgency: Urgency) -> DeadlinePolicy {
        for rule in rules where rule.when.matches(channel: channel, kind: kind, tier: tier, urgency: urgency) {
            return byName[rule.policy]!  // validated in init
        }
        // Unreachable: init requires a catch-all rule.
        return byName[rules.first(where: { $0.when.isCatchAll })!.policy]!
    }

    /// The policy named `name`.
    public func policy(named name: String) -> DeadlinePolicy? { byName[name] }

    // MARK: File format

    private enum CodingKeys: String, CodingKey {
        case policies, rules, rejectionPolicy, signByPolicy, `extension`, warningShares, officeHours
    }

    public init(from decoder: any Decoder) throws {
        try StrictKeys.refuseUnknown(in: decoder, allowed: ["policies", "rules", "rejectionPolicy", "signByPolicy",
                                                            "extension", "warningShares", "officeHours"])
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            policies: container.decode([DeadlinePolicy].self, forKey: .policies),
            rules: container.decode([DeadlineRule].self, forKey: .rules),
            rejectionPolicy: container.decode(String.self, forKey: .rejectionPolicy),
            signByPolicy: container.decode(String.self, forKey: .signByPolicy),
            extensionRule: container.decodeIfPresent(ExtensionRule.self, forKey: .extension) ?? .standard,
            warningShares: container.decodeIfPresent([Double].self, forKey: .warningShares) ?? [0.6, 0.8],
            officeHours: container.decodeIfPresent(OfficeHours.self, forKey: .officeHours) ?? .standard)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(policies, forKey: .policies)
        try container.encode(rules, forKey: .rules)
        try container.encode(rejection.name, forKey: .rejectionPolicy)
        try container.encode(signBy.name, forKey: .signByPolicy)
        try container.encode(extensionRule, forKey: .extension)
        try container.encode(warningShares, forKey: .warningShares)
        try container.encode(officeHours, forKey: .officeHours)
    }

    /// Parses a policy file (JSON, see `docs/deadlines.md`); `source` names it in errors.
    /// - Parameter capped: also refuse limits beyond a year (``DeadlineLimit/maxWorkingDays``, `maxHours`) and an
    ///   extension rule beyond 365 days or 100 a round: true for a file an operator gives; false for the policy
    ///   already stored, which an older build may have accepted (it must keep working after an upgrade).
    /// - Throws: ``DeadlinePolicyError`` with the JSON path and the reason.
    public init(json: Data, source: String? = nil, capped: Bool = true) throws {
        do {
            self = try JSONDecoder().decode(DeadlinePolicySet.self, from: json)
            if capped, let reason = capsExceeded() { throw DeadlinePolicyError(reason: reason) }
        } catch var error as DeadlinePolicyError {
            error.source = source
            throw error
        } catch let error as DecodingError {
            throw DeadlinePolicyError(source: source, reason: DeadlinePolicySet.explain(error))
        }
    }

    /// Why the set goes beyond what a policy file may set, or nil: a limit over a year would overflow the
    /// working-day arithmetic long before it meant anything (2^63 − 1 working days loaded and then trapped).
    func capsExceeded() -> String? {
        for (index, policy) in policies.enumerated() {
            switch policy.limit {
            case .workingDays(let n) where n > DeadlineLimit.maxWorkingDays:
                let most = DeadlineLimit.maxWorkingDays
                return "policies[\(index)].limit.workingDays: workingDays must be 1 to \(most), got \(n)"
            case .hours(let n) where n > DeadlineLimit.maxHours:
                let most = DeadlineLimit.maxHours
                return "policies[\(index)].limit.hours: hours must be 1 to \(most), got \(n)"
            default: continue
            }
        }
        guard extensionRule.maxWorkingDays <= DeadlineLimit.maxWorkingDays, extensionRule.maxPerRound <= 100 else {
            return "extension: maxWorkingDays must be 1 to \(DeadlineLimit.maxWorkingDays) and maxPerRound 0 to 100"
        }
        return nil
    }

    /// Loads a jurisdiction's policy file.
    public static func load(contentsOf url: URL) throws -> DeadlinePolicySet {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DeadlinePolicyError(source: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try DeadlinePolicySet(json: data, source: url.lastPathComponent)
    }

    /// The defaults shipped in `Resources/deadline-policies.json`. Parsed once per process.
    public static func builtIn() throws -> DeadlinePolicySet { try builtInResult.get() }

    private static let builtInResult: Result<DeadlinePolicySet, DeadlinePolicyError> = {
        let candidates = [Bundle.module.resourceURL, Bundle.module.bundleURL].compactMap { $0 }
            .map { $0.appendingPathComponent("Resources/deadline-policies.json") }
        guard let url = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            return .failure(DeadlinePolicyError(reason: "the bundled Resources/deadline-policies.json is missing"))
        }
        do {
            return .success(try load(contentsOf: url))
        } catch let error as DeadlinePolicyError {
            return .failure(error)
        } catch {
            return .failure(DeadlinePolicyError(source: url.path, reason: "\(error)"))
        }
    }()

    /// The set as pretty-printed JSON (the file format).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// `rules[2].when.tier: unknown tier 'fast' (expected immediate, deadline, research)`.
    static func explain(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            var out = ""
            for key in codingPath {
                if let index = key.intValue { out += "[\(index)]" } else {
                    out += (out.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return out
        }
        func at(_ codingPath: [any CodingKey], _ message: String) -> String {
            let where_ = path(codingPath)
            return where_.isEmpty ? message : "\(where_): \(message)"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return at(context.codingPath + [key], "missing")
        case .typeMismatch(let type, let context):
            return at(context.codingPath, "expected \(type)")
        case .valueNotFound(let type, let context):
            return at(context.codingPath, "expected \(type), found null")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let detail = context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription
                return "not valid JSON: \(detail)"
            }
            return at(context.codingPath, context.debugDescription)
        @unknown default:
            return "\(error)"
        }
    }
}
