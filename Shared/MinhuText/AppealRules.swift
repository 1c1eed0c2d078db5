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

    /// How long one regular expression may search one text before it is abandoned as not matching.
    /// Half a second: about 14 times the p99 and 5 times the slowest whole assessment of the 4,326 real messages of
    /// hotspot-corpus.csv (`minhu bench text`, release: p99 36 ms, max 89–109 ms for every pattern together); one
    /// pattern alone takes a fraction of that.
    public static let defaultPatternTimeLimit: TimeInterval = 0.5

    /// Builds the rules from a parsed document; throws on an invalid pattern or an unknown code.
    /// - Parameters:
    ///   - patternTimeLimit: how long one regular expression may search one text; past it, the pattern counts as not
    ///     matching and `onAbandoned` is called with it (the dispatcher logs it: the rules need fixing).
    public init(document: Document, patternTimeLimit: TimeInterval = AppealRules.defaultPatternTimeLimit,
                onAbandoned: (@Sendable (String) -> Void)? = nil) throws {
        for code in [document.kind.default] + [document.kind.defaultWhenEmergency].compactMap({ $0 }) + document.kind.priority + document.kind.rules.map(\.kind)
            + document.tier.immediateKinds + document.tier.researchKinds where !Self.kinds.contains(code) {
            throw RulesError.unknownCode(code)
        }
        for code in [document.tier.default] where !Self.tiers.contains(code) { throw RulesError.unknownCode(code) }
        for code in document.tier.immediateUrgencies where !Self.urgencies.contains(code) {
            throw RulesError.unknownCode(code)
        }
        guard document.version == 1 else { throw RulesError.unsupportedVersion(document.version) }
        // A kind with rules but no place in the priority list could never win: its matches would be dropped.
        for rule in document.kind.rules where !document.kind.priority.contains(rule.kind) {
            throw RulesError.notInPriority(rule.kind)
        }
        self.document = document
        let patterns = { (list: [String]) throws -> PatternSet in
            try PatternSet(list, timeLimit: patternTimeLimit, onAbandoned: onAbandoned)
        }
        kindMatchers = try document.kind.rules.map { ($0.kind, $0.weight, try patterns($0.patterns)) }
        emergency = try patterns(document.urgency.emergency)
        urgent = try patterns(document.urgency.urgent)
        research = try patterns(document.tier.researchPatterns)
        researchByCategory = try document.tier.researchCategoryPatterns.mapValues { try patterns($0) }
        immediateKindResearch = try patterns(document.tier.immediateKindResearchPatterns ?? [])
        deputyComplex = try patterns(document.tier.deputyComplexPatterns)
    }

    /// Reads a rules file.
    public init(contentsOf url: URL, onAbandoned: (@Sendable (String) -> Void)? = nil) throws {
        let document = try DataFile.decodeJSON(Document.self, from: url)
        do { try self.init(document: document, onAbandoned: onAbandoned) } catch {
            throw DataFileError.invalid(url.path, "\(error)")
        }
    }

    /// The rules shipped in `models/rules-a-city.json` (or `MINHU_RULES_FILE`).
    public static func loadShipped(environment: [String: String] = ProcessInfo.processInfo.environment,
                                   onAbandoned: (@Sendable (String) -> Void)? = nil) throws -> AppealRules {
        if let path = environment["MINHU_RULES_FILE"], !path.isEmpty {
            return try AppealRules(contentsOf: URL(fileURLWithPath: path), onAbandoned: onAbandoned)
        }
        guard let url = ShippedModel.locate(resource: ShippedModel.rulesFileName) else {
            throw ModelError.notFound("models/\(ShippedModel.rulesFileName)")
        }
        return try AppealRules(contentsOf: url, onAbandoned: onAbandoned)
    }

    /// The appeal kind code.
    public func kind(title: String, detail: String) -> String {
        let (kind, reasons) = kindAndReasons(title: MatchText(title), detail: MatchText(detail))
        if reasons.isEmpty, let k = document.kind.defaultWhenEmergency, urgency(title: title, detail: detail) == "emergency" { return k }
        return kind
    }

    func kindAndReasons(title: MatchText, detail: MatchText) -> (String, [String]) {
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
        urgency(MatchText(title + "。" + detail))
    }

    /// The urgency code of title + "。" + detail, prepared.
    func urgency(_ text: MatchText) -> String {
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
        tierAndReason(category: category, kind: kind, channel: channel, urgency: urgency,
                      text: MatchText(title + "。" + detail)).0
    }

    /// The tier and why, from title + "。" + detail, prepared.
    func tierAndReason(category: String?, kind: String, channel: String?, urgency: String,
                       text: MatchText) -> (String, String?) {
        let t = document.tier
        if t.immediateUrgencies.contains(urgency) { return ("immediate", "urgency \(urgency)") }
        let isDeputy = channel == t.deputyChannel
        if t.researchKinds.contains(kind) || isDeputy {
            if let m = research.firstMatch(in: text) { return ("research", m) }
            if let category, let set = researchByCategory[category], let m = set.firstMatch(in: text) { return ("research", m) }
        }
        if isDeputy {
            if let m = deputyComplex.firstMatch(in: text) { return ("research", "deputy + \(m)") }
            if text.text.count >= t.deputyComplexLength { return ("research", "deputy + long") }
        }
        if t.immediateKinds.contains(kind) {
            if let m = immediateKindResearch.firstMatch(in: text) { return ("research", "kind \(kind) + \(m)") }
            return ("immediate", "kind \(kind)")
        }
        return (t.default, nil)
    }

    /// Kind, urgency and tier together, with the reasons.
    public func assess(title: String, detail: String, category: String? = nil, channel: String? = nil) -> Assessment {
        // Each text is prepared once for every pattern set that reads it.
        let combined = MatchText(title + "。" + detail)
        var (kind, kindReasons) = kindAndReasons(title: MatchText(title), detail: MatchText(detail))
        let urgency = self.urgency(combined)
        if kindReasons.isEmpty, urgency == "emergency", let k = document.kind.defaultWhenEmergency { kind = k }
        let (tier, tierReason) = tierAndReason(category: category, kind: kind, channel: channel, urgency: urgency,
                                               text: combined)
        var reasons = kindReasons.map { "kind: \($0)" }
        if let tierReason { reasons.append("tier: \(tierReason)") }
        return Assessment(kind: kind, urgency: urgency, tier: tier, reasons: reasons)
    }
}

/// Errors in a rules file.
public enum RulesError: Error, CustomStringConvertible, Sendable {
    case unknownCode(String)
    case badPattern(String)
    case unsupportedVersion(Int)
    case notInPriority(String)
    public var description: String {
        switch self {
        case .unknownCode(let c): return "unknown code in rules: \(c)"
        case .badPattern(let p): return "invalid pattern in rules: \(p)"
        case .unsupportedVersion(let v): return "rules version \(v) is not supported (this build reads version 1)"
        case .notInPriority(let k): return "kind \(k) has rules but is missing from kind.priority"
        }
    }
}

/// A list of patterns: literals are searched directly, the others compiled as regular expressions.
///
/// Literals are found by comparing UTF-8 bytes of the text and the pattern, both in Unicode normalisation form C, so
/// that canonically equivalent spellings match as Foundation's `contains` matched them (a CJK compatibility
/// ideograph and its unified form, a decomposed accent). That is about twenty times faster than `contains`, which
/// bridges to `NSString` for every pattern (2026-11-25: 244 literals on a 390-character message, 6.3 ms → 0.3 ms).
///
/// A regular expression is abandoned (counted as not matching, and reported through `onAbandoned`) once one search
/// runs past `timeLimit` (a monotonic clock): the rules are data a jurisdiction edits, and a pattern that backtracks
/// catastrophically (`(\\p{Han}+)+吗` on thirty Han characters) would otherwise hold a consumer for ever on every
/// such appeal.
struct PatternSet: @unchecked Sendable {
    // NSRegularExpression is immutable after creation and safe to share.
    private let literals: [String]
    /// The literals in normalisation form C, as UTF-8.
    private let literalBytes: [[UInt8]]
    private let regexes: [(String, NSRegularExpression)]
    private let timeLimit: TimeInterval
    private let onAbandoned: (@Sendable (String) -> Void)?

    init(_ patterns: [String], timeLimit: TimeInterval = AppealRules.defaultPatternTimeLimit,
         onAbandoned: (@Sendable (String) -> Void)? = nil) throws {
        var literals: [String] = []
        var regexes: [(String, NSRegularExpression)] = []
        let meta = CharacterSet(charactersIn: "\\^$.|?*+()[]{}")
        for p in patterns {
            if p.isEmpty { throw RulesError.badPattern("an empty pattern") }
            if p.unicodeScalars.contains(where: meta.contains) {
                do { regexes.append((p, try NSRegularExpression(pattern: p))) } catch { throw RulesError.badPattern(p) }
            } else {
                literals.append(p)
            }
        }
        self.literals = literals
        self.literalBytes = literals.map { Array($0.precomposedStringWithCanonicalMapping.utf8) }
        self.regexes = regexes
        self.timeLimit = timeLimit
        self.onAbandoned = onAbandoned
    }

    /// Every pattern that occurs in `text`.
    func matches(in text: String) -> [String] {
        matches(in: MatchText(text))
    }

    /// Every pattern that occurs in `text` (prepared once for all the sets that read it).
    func matches(in text: MatchText) -> [String] {
        guard !text.text.isEmpty else { return [] }
        var out = text.normalizedUTF8.withUnsafeBufferPointer { bytes in
            literalBytes.indices.filter { Self.occurs(literalBytes[$0], in: bytes) }.map { literals[$0] }
        }
        for (p, r) in regexes where occurs(p, r, in: text.text, range: text.range) { out.append(p) }
        return out
    }

    /// The first pattern that occurs in `text`.
    func firstMatch(in text: String) -> String? {
        firstMatch(in: MatchText(text))
    }

    /// The first pattern that occurs in `text` (prepared once for all the sets that read it).
    func firstMatch(in text: MatchText) -> String? {
        guard !text.text.isEmpty else { return nil }
        let literal = text.normalizedUTF8.withUnsafeBufferPointer { bytes in
            literalBytes.firstIndex { Self.occurs($0, in: bytes) }
        }
        if let literal { return literals[literal] }
        return regexes.first { occurs($0.0, $0.1, in: text.text, range: text.range) }?.0
    }

    /// Whether `needle` occurs in `haystack`, byte for byte (UTF-8 is self-synchronising: a match of a whole
    /// encoded pattern starts and ends on code-point boundaries; unlike Foundation's search it may end before a
    /// combining mark that has no precomposed form, which the rules' Chinese and ASCII patterns never meet).
    static func occurs(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return needle.isEmpty }
        let last = haystack.count - needle.count
        var start = 0
        while start <= last {
            if haystack[start] == first {
                var offset = 1
                while offset < needle.count && haystack[start + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            start += 1
        }
        return false
    }

    /// Whether `regex` matches within `range`; false, reported, when the search runs past `timeLimit` (ICU calls
    /// the block periodically during a long match when asked to report progress).
    private func occurs(_ pattern: String, _ regex: NSRegularExpression, in text: String, range: NSRange) -> Bool {
        // A monotonic clock: a wall-clock step (NTP) must not make a harmless pattern "not match".
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, timeLimit) * 1e9)
        var found = false
        var abandoned = false
        regex.enumerateMatches(in: text, options: [.reportProgress], range: range) { result, _, stop in
            if result != nil {
                found = true
                stop.pointee = true
            } else if DispatchTime.now().uptimeNanoseconds > deadline {
                abandoned = true
                stop.pointee = true
            }
        }
        if abandoned { onAbandoned?(pattern) }
        return found
    }
}

/// A text prepared for matching against several pattern sets: as given (for the regular expressions, with its
/// whole range) and its UTF-8 bytes in normalisation form C (for the literals). Preparing costs about as much as
/// searching all the literals once, so an assessment prepares each text once.
struct MatchText {
    let text: String
    let range: NSRange
    let normalizedUTF8: [UInt8]

    init(_ text: String) {
        self.text = text
        self.range = NSRange(text.startIndex..., in: text)
        self.normalizedUTF8 = Array(text.precomposedStringWithCanonicalMapping.utf8)
    }
}
