import Foundation

/// Kind, urgency and handling tier of an appeal from keyword rules kept as data (`models/rules-a-city.json`).
///
/// Codes: kind ∈ `consultation, help, complaint, report, suggestion` (the raw values of `AppealKind`),
/// urgency ∈ `normal, urgent, emergency`, tier ∈ `immediate, deadline, research`. Pure functions of their inputs.
///
/// ```swift
/// let rules = try AppealRules.loadShipped()
/// let a = rules.assess(title: "小区燃气泄漏", detail: "闻到很浓的煤气味", category: "城乡建设", channel: "hotline")
/// // a.kind == "help"?  a.urgency == "emergency", a.tier == "immediate"
/// ```
public struct AppealRules: Sendable {
    public static let kinds = ["consultation", "help", "complaint", "report", "suggestion"]
    public static let urgencies = ["normal", "urgent", "emergency"]
    public static let tiers = ["immediate", "deadline", "research"]

    /// The outcome of every rule for one appeal.
    public struct Assessment: Sendable, Equatable {
        public var kind: String
        public var urgency: String
        public var tier: String
        /// Why: the patterns that decided (for the manual desk and the audit trail).
        public var reasons: [String]
    }

    /// The JSON document's shape.
    public struct Document: Codable, Sendable {
        public struct KindRule: Codable, Sendable {
            public var kind: String
            public var weight: Double
            public var patterns: [String]
        }
        public struct KindSection: Codable, Sendable {
            public var `default`: String
            /// The kind of an emergency that no kind rule matched (usually `help`).
            public var defaultWhenEmergency: String?
            public var priority: [String]
            public var rules: [KindRule]
        }
        public struct UrgencySection: Codable, Sendable {
            public var emergency: [String]
            public var urgent: [String]
        }
        public struct TierSection: Codable, Sendable {
            public var immediateKinds: [String]
            public var immediateUrgencies: [String]
            public var researchKinds: [String]
            public var researchPatterns: [String]
            public var researchCategoryPatterns: [String: [String]]
            /// Patterns that send an appeal of an `immediateKinds` kind to research instead: a question about land
            /// acquisition or planning needs the department's study; one that names a document (房产证) does not.
            public var immediateKindResearchPatterns: [String]?
            public var deputyChannel: String
            public var deputyComplexPatterns: [String]
            public var deputyComplexLength: Int
            public var `default`: String
        }
        public var version: Int
        public var titleWeight: Double
        public var kind: KindSection
        public var urgency: UrgencySection
        public var tier: TierSection
    }

    public let document: Document
    private let kindMatchers: [(kind: String, weight: Double, matcher: PatternSet)]
    private let emergency: PatternSet
    private let urgent: PatternSet
    private let research: PatternSet
    private let researchByCategory: [String: PatternSet]
    private let immediateKindResearch: PatternSet
    private let deputyComplex: PatternSet

    /// Builds the rules from a parsed document; throws on an invalid pattern or an unknown code.
    public init(document: Document) throws {
        for code in [document.kind.default] + [document.kind.defaultWhenEmergency].compactMap({ $0 }) + document.kind.priority + document.kind.rules.map(\.kind)
            + document.tier.immediateKinds + document.tier.researchKinds where !Self.kinds.contains(code) {
            throw RulesError.unknownCode(code)
        }
        for code in [document.tier.default] where !Self.tiers.contains(code) { throw RulesError.unknownCode(code) }
        self.document = document
        kindMatchers = try document.kind.rules.map { ($0.kind, $0.weight, try PatternSet($0.patterns)) }
        emergency = try PatternSet(document.urgency.emergency)
        urgent = try PatternSet(document.urgency.urgent)
        research = try PatternSet(document.tier.researchPatterns)
        researchByCategory = try document.tier.researchCategoryPatterns.mapValues { try PatternSet($0) }
        immediateKindResearch = try PatternSet(document.tier.immediateKindResearchPatterns ?? [])
        deputyComplex = try PatternSet(document.tier.deputyComplexPatterns)
    }

    /// Reads a rules file.
    public init(contentsOf url: URL) throws {
        let document = try DataFile.decodeJSON(Document.self, from: url)
        do { try self.init(document: document) } catch { throw DataFileError.invalid(url.path, "\(error)") }
    }

    /// The rules shipped in `models/rules-a-city.json` (or `MINHU_RULES_FILE`).
    public static func loadShipped(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AppealRules {
        if let path = environment["MINHU_RULES_FILE"], !path.isEmpty { return try AppealRules(contentsOf: URL(fileURLWithPath: path)) }
        guard let url = ShippedModel.locate(resource: ShippedModel.rulesFileName) else {
            throw ModelError.notFound("models/\(ShippedModel.rulesFileName)")
        }
        return try AppealRules(contentsOf: url)
    }

    /// The appeal kind code.
    public func kind(title: String, detail: String) -> String {
        let (kind, reasons) = kindAndReasons(title: title, detail: detail)
        if reasons.isEmpty, let k = document.kind.defaultWhenEmergency, urgency(title: title, detail: detail) == "emergency" { return k }
        return kind
    }

    func kindAndReasons(title: String, detail: String) -> (String, [String]) {
        var scores: [String: Double] = [:]
        var reasons: [String: [String]] = [:]
        for (kind, weight, matcher) in kindMatchers {
            let inTitle = matcher.matches(in: title)
            let inDetail = matcher.matches(in: detail)
            let s = weight * (document.titleWeight * Double(inTitle.count) + Double(min(inDetail.count, 3)))
            if s > 0 {
                scores[kind, default: 0] += s
                reasons[kind, default: []] += inTitle + inDetail
            }
        }
        guard let best = scores.values.max(), best > 0 else { return (document.kind.default, []) }
        let winner = document.kind.priority.first { scores[$0] == best } ?? document.kind.default
        return (winner, reasons[winner] ?? [])
    }

    /// The urgency code.
    public func urgency(title: String, detail: String) -> String {
        let text = title + "。" + detail
        if emergency.firstMatch(in: text) != nil { return "emergency" }
        if urgent.firstMatch(in: text) != nil { return "urgent" }
        return "normal"
    }

    /// The handling tier code.
    /// - Parameters:
    ///   - category: the first-level category, when known.
    ///   - channel: the intake channel code ("deputy" for a registered people's-congress deputy).
    public func tier(category: String?, kind: String, channel: String?, urgency: String,
                     title: String, detail: String) -> String {
        tierAndReason(category: category, kind: kind, channel: channel, urgency: urgency, title: title, detail: detail).0
    }

    func tierAndReason(category: String?, kind: String, channel: String?, urgency: String,
                       title: String, detail: String) -> (String, String?) {
        let t = document.tier
        if t.immediateUrgencies.contains(urgency) { return ("immediate", "urgency \(urgency)") }
        let text = title + "。" + detail
        let isDeputy = channel == t.deputyChannel
        if t.researchKinds.contains(kind) || isDeputy {
            if let m = research.firstMatch(in: text) { return ("research", m) }
            if let category, let set = researchByCategory[category], let m = set.firstMatch(in: text) { return ("research", m) }
        }
        if isDeputy {
            if let m = deputyComplex.firstMatch(in: text) { return ("research", "deputy + \(m)") }
            if text.count >= t.deputyComplexLength { return ("research", "deputy + long") }
        }
        if t.immediateKinds.contains(kind) {
            if let m = immediateKindResearch.firstMatch(in: text) { return ("research", "kind \(kind) + \(m)") }
            return ("immediate", "kind \(kind)")
        }
        return (t.default, nil)
    }

    /// Kind, urgency and tier together, with the reasons.
    public func assess(title: String, detail: String, category: String? = nil, channel: String? = nil) -> Assessment {
        var (kind, kindReasons) = kindAndReasons(title: title, detail: detail)
        let urgency = self.urgency(title: title, detail: detail)
        if kindReasons.isEmpty, urgency == "emergency", let k = document.kind.defaultWhenEmergency { kind = k }
        let (tier, tierReason) = tierAndReason(category: category, kind: kind, channel: channel, urgency: urgency,
                                               title: title, detail: detail)
        var reasons = kindReasons.map { "kind: \($0)" }
        if let tierReason { reasons.append("tier: \(tierReason)") }
        return Assessment(kind: kind, urgency: urgency, tier: tier, reasons: reasons)
    }
}

/// Errors in a rules file.
public enum RulesError: Error, CustomStringConvertible, Sendable {
    case unknownCode(String)
    case badPattern(String)
    public var description: String {
        switch self {
        case .unknownCode(let c): return "unknown code in rules: \(c)"
        case .badPattern(let p): return "invalid pattern in rules: \(p)"
        }
    }
}

/// A list of patterns: literals are searched directly, the others compiled as regular expressions.
struct PatternSet: @unchecked Sendable {
    // NSRegularExpression is immutable after creation and safe to share.
    private let literals: [String]
    private let regexes: [(String, NSRegularExpression)]

    init(_ patterns: [String]) throws {
        var literals: [String] = []
        var regexes: [(String, NSRegularExpression)] = []
        let meta = CharacterSet(charactersIn: "\\^$.|?*+()[]{}")
        for p in patterns {
            if p.unicodeScalars.contains(where: meta.contains) {
                do { regexes.append((p, try NSRegularExpression(pattern: p))) } catch { throw RulesError.badPattern(p) }
            } else {
                literals.append(p)
            }
        }
        self.literals = literals
        self.regexes = regexes
    }

    /// Every pattern that occurs in `text`.
    func matches(in text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        var out = literals.filter { text.contains($0) }
        let range = NSRange(text.startIndex..., in: text)
        for (p, r) in regexes where r.firstMatch(in: text, range: range) != nil { out.append(p) }
        return out
    }

    /// The first pattern that occurs in `text`.
    func firstMatch(in text: String) -> String? {
        guard !text.isEmpty else { return nil }
        if let l = literals.first(where: { text.contains($0) }) { return l }
        let range = NSRange(text.startIndex..., in: text)
        return regexes.first { $0.1.firstMatch(in: text, range: range) != nil }?.0
    }
}
