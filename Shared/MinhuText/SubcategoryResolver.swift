import Foundation

/// Levels 2 and 3 of an appeal's category, from keyword rules kept as data (`models/subcategories-a-city.json`),
/// within the first-level class the classifier gave (docs/classifier.md, "Levels 2 and 3").
///
/// Every keyword found in the title scores `titleWeight`, in the detail 1 (each keyword once per field; a match
/// lying inside a longer match does not count). A level 3 scores its keywords plus its level 2's. The best level 3
/// wins when it scores ≥ `minScore` and ≥ `margin` × the next one; when it is not clear but every close rival
/// lies in the same level 2, that level 2 alone; otherwise nothing. With no level-3 keyword at all, a clear
/// level 2 from its own keywords gives that level 2 and its `fallback` ("其他") when it has one.
///
/// ```swift
/// let resolver = try SubcategoryResolver.loadShipped()
/// resolver.resolve(level1: "城乡建设", title: "小区天然气管道漏气", detail: "…")
/// // (level2: "城市建设和市政管理", level3: "燃气供应")
/// ```
public struct SubcategoryResolver: Sendable {
    public static let environmentKey = "MINHU_SUBCATEGORIES_FILE"

    /// The JSON document's shape.
    public struct Document: Codable, Sendable {
        /// One second-level class with its keywords and its third-level classes' keywords.
        public struct Entry: Codable, Sendable {
            public var level1: String
            public var level2: String
            /// Keywords of the level 2 as a whole (added to each of its level 3s; alone they give the fallback).
            public var keywords: [String]?
            /// The level 3 returned when only the level 2 is recognised (the taxonomy's "其他"), if any.
            public var fallback: String?
            public var level3: [String: [String]]
        }
        public var version: Int
        public var description: String?
        public var titleWeight: Double
        public var margin: Double
        public var minScore: Double
        public var categories: [Entry]
    }

    /// A taxonomy to check the rules against (`level1,level2,level3` rows, as in `taxonomy.csv`).
    public struct Taxonomy: Sendable {
        public var paths: Set<String>
        /// The rows as read: (level1, level2, level3).
        public var rows: [(String, String, String)]

        public init(rows: [(String, String, String)]) {
            self.rows = rows
            var paths: Set<String> = []
            for (l1, l2, l3) in rows {
                paths.insert(l1)
                if !l2.isEmpty { paths.insert(l1 + "/" + l2) }
                if !l2.isEmpty, !l3.isEmpty { paths.insert(l1 + "/" + l2 + "/" + l3) }
            }
            self.paths = paths
        }

        /// Reads a CSV file with the header `level1,level2,level3`.
        public init(contentsOf url: URL) throws {
            let table = try CSVTable(contentsOf: url)
            guard let i1 = table.index(of: "level1"), let i2 = table.index(of: "level2"), let i3 = table.index(of: "level3") else {
                throw DataFileError.invalid(url.path, "a taxonomy needs the columns level1,level2,level3 "
                                            + "(its columns are: \(table.header.joined(separator: ", ")))")
            }
            self.init(rows: table.rows.map { row in
                func cell(_ i: Int) -> String { i < row.count ? row[i].trimmingCharacters(in: .whitespaces) : "" }
                return (cell(i1), cell(i2), cell(i3))
            })
        }

        public func contains(_ path: String) -> Bool { paths.contains(path) }
    }

    /// What a keyword counts for.
    private struct Target: Sendable {
        var level1: Int32
        /// Index into `slots`: a level 3, or a level 2 as a whole.
        var slot: Int32
    }

    private struct Slot: Sendable {
        var level2: Int32      // index into `level2s`
        var level3: String?    // nil: the level 2's own keywords
    }

    private struct Level2: Sendable {
        var level1: Int32
        var name: String
        var fallback: String?
    }

    public let document: Document
    private let level1Index: [String: Int32]
    private let level2s: [Level2]
    private let slots: [Slot]
    /// Slot ranges per level 1 (slots are grouped by level 1).
    private let slotRanges: [Range<Int>]
    private let keywordLengths: [Int32]
    private let targets: [[Target]]
    private let matcher: KeywordTrie

    /// Builds the resolver; throws on an empty or duplicated entry and, with `taxonomy`, on any level it lacks.
    public init(document: Document, taxonomy: Taxonomy? = nil) throws {
        guard document.titleWeight > 0, document.margin >= 1, document.minScore > 0 else {
            throw SubcategoryError.invalid("titleWeight and minScore must be > 0, margin ≥ 1")
        }
        var level1Index: [String: Int32] = [:]
        var level2s: [Level2] = []
        var seen: Set<String> = []
        // Group the entries by level 1 so each level 1 owns one contiguous range of slots.
        var order: [String] = []
        var byLevel1: [String: [Document.Entry]] = [:]
        for entry in document.categories {
            let l1 = entry.level1.trimmingCharacters(in: .whitespaces)
            let l2 = entry.level2.trimmingCharacters(in: .whitespaces)
            guard !l1.isEmpty, !l2.isEmpty else { throw SubcategoryError.invalid("an entry has an empty level1 or level2") }
            guard seen.insert(l1 + "/" + l2).inserted else { throw SubcategoryError.invalid("'\(l1)/\(l2)' appears twice") }
            if byLevel1[l1] == nil { order.append(l1) }
            byLevel1[l1, default: []].append(entry)
        }
        var slots: [Slot] = []
        var slotRanges: [Range<Int>] = []
        var keywordIDs: [String: Int] = [:]
        var keywords: [String] = []
        var targets: [[Target]] = []
        func add(_ words: [String], to slot: Int, level1: Int32, path: String) throws {
            for raw in words {
                let word = String(String.UnicodeScalarView(raw.unicodeScalars.map(KeywordTrie.fold)))
                    .trimmingCharacters(in: .whitespaces)
                guard !word.isEmpty else { throw SubcategoryError.invalid("'\(path)' has an empty keyword") }
                let id: Int
                if let known = keywordIDs[word] { id = known } else {
                    id = keywords.count
                    keywordIDs[word] = id
                    keywords.append(word)
                    targets.append([])
                }
                if !targets[id].contains(where: { $0.slot == Int32(slot) }) {
                    targets[id].append(Target(level1: level1, slot: Int32(slot)))
                }
            }
        }
        for l1 in order {
            let l1ID = Int32(level1Index.count)
            level1Index[l1] = l1ID
            let start = slots.count
            if let taxonomy, !taxonomy.contains(l1) { throw SubcategoryError.unknownCategory(l1) }
            for entry in byLevel1[l1] ?? [] {
                let l2 = entry.level2.trimmingCharacters(in: .whitespaces)
                let path2 = l1 + "/" + l2
                if let taxonomy, !taxonomy.contains(path2) { throw SubcategoryError.unknownCategory(path2) }
                if let fallback = entry.fallback, let taxonomy, !taxonomy.contains(path2 + "/" + fallback) {
                    throw SubcategoryError.unknownCategory(path2 + "/" + fallback)
                }
                let l2ID = Int32(level2s.count)
                level2s.append(Level2(level1: l1ID, name: l2, fallback: entry.fallback))
                slots.append(Slot(level2: l2ID, level3: nil))
                try add(entry.keywords ?? [], to: slots.count - 1, level1: l1ID, path: path2)
                for (l3, words) in entry.level3.sorted(by: { $0.key < $1.key }) {
                    let path3 = path2 + "/" + l3
                    guard !l3.isEmpty else { throw SubcategoryError.invalid("'\(path2)' has an empty level3") }
                    if l3 == entry.fallback {
                        throw SubcategoryError.invalid("'\(path3)' is the fallback; it takes no keywords")
                    }
                    if let taxonomy, !taxonomy.contains(path3) { throw SubcategoryError.unknownCategory(path3) }
                    guard !words.isEmpty else { throw SubcategoryError.invalid("'\(path3)' has no keywords") }
                    slots.append(Slot(level2: l2ID, level3: l3))
                    try add(words, to: slots.count - 1, level1: l1ID, path: path3)
                }
            }
            slotRanges.append(start..<slots.count)
        }
        self.document = document
        self.level1Index = level1Index
        self.level2s = level2s
        self.slots = slots
        self.slotRanges = slotRanges
        self.keywordLengths = keywords.map { Int32($0.unicodeScalars.count) }
        self.targets = targets
        self.matcher = KeywordTrie(keywords)
    }

    /// Reads a rules file, checked against `taxonomy` when given.
    public init(contentsOf url: URL, taxonomy: Taxonomy? = nil) throws {
        let document: Document
        do { document = try DataFile.decodeJSON(Document.self, from: url) } catch DataFileError.invalid(let path, let reason) {
            throw SubcategoryError.invalid("\(path): \(reason)")
        }
        do { try self.init(document: document, taxonomy: taxonomy) } catch let error as SubcategoryError {
            throw SubcategoryError.invalid("\(url.lastPathComponent): \(error.reason)")
        }
    }

    /// The rules shipped in `models/subcategories-a-city.json` (or `MINHU_SUBCATEGORIES_FILE`).
    public static func loadShipped(environment: [String: String] = ProcessInfo.processInfo.environment,
                                   taxonomy: Taxonomy? = nil) throws -> SubcategoryResolver {
        if let path = environment[environmentKey], !path.isEmpty {
            return try SubcategoryResolver(contentsOf: URL(fileURLWithPath: path), taxonomy: taxonomy)
        }
        guard let url = ShippedModel.locate(resource: ShippedModel.subcategoriesFileName) else {
            throw ModelError.notFound("models/\(ShippedModel.subcategoriesFileName)")
        }
        return try SubcategoryResolver(contentsOf: url, taxonomy: taxonomy)
    }

    /// Levels 2 and 3 within `level1`, or nil where they are not clear. Pure; cost n log n in the text length.
    public func resolve(level1: String, title: String, detail: String) -> (level2: String?, level3: String?) {
        guard let l1 = level1Index[level1] else { return (nil, nil) }
        let range = slotRanges[Int(l1)]
        var points = [Double](repeating: 0, count: range.count)
        for (text, weight) in [(title, document.titleWeight), (detail, 1.0)] {
            for id in matchedKeywords(in: text) {
                for target in targets[id] where target.level1 == l1 {
                    points[Int(target.slot) - range.lowerBound] += weight
                }
            }
        }
        // Level-3 candidates: own points plus the level 2's.
        var level2Points: [Int32: Double] = [:]
        for (i, slot) in range.enumerated() where slots[slot].level3 == nil && points[i] > 0 {
            level2Points[slots[slot].level2] = points[i]
        }
        var candidates: [(score: Double, slot: Int)] = []
        for (i, slot) in range.enumerated() where slots[slot].level3 != nil && points[i] > 0 {
            candidates.append((points[i] + (level2Points[slots[slot].level2] ?? 0), slot))
        }
        if !candidates.isEmpty {
            candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.slot < $1.slot }
            let best = candidates[0]
            let next = candidates.count > 1 ? candidates[1].score : 0
            let l2 = slots[best.slot].level2
            if best.score >= document.minScore, best.score > next, best.score >= document.margin * next {
                return (level2s[Int(l2)].name, slots[best.slot].level3)
            }
            let rivals = candidates.filter { $0.score * document.margin > best.score }
            if best.score >= document.minScore, rivals.allSatisfy({ slots[$0.slot].level2 == l2 }) {
                return (level2s[Int(l2)].name, nil)
            }
            return (nil, nil)
        }
        let ranked = level2Points.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        guard let top = ranked.first, top.value >= document.minScore else { return (nil, nil) }
        if ranked.count > 1, !(top.value > ranked[1].value && top.value >= document.margin * ranked[1].value) {
            return (nil, nil)
        }
        let level2 = level2s[Int(top.key)]
        return (level2.name, level2.fallback)
    }

    /// The ids of the keywords in `text`, each once, without matches lying inside a longer match.
    ///
    /// One sweep over the spans sorted by start, longest first: a span lies inside a longer one exactly when an
    /// earlier span of another extent reaches as far. (It used to compare every pair: "医保" × 2,000 in a detail
    /// took four million comparisons.)
    private func matchedKeywords(in text: String) -> [Int] {
        let spans = matcher.matches(in: text)
        guard spans.count > 1 else { return spans.map(\.keyword) }
        let ends = spans.map { $0.start + Int(keywordLengths[$0.keyword]) }
        let order = spans.indices.sorted {
            spans[$0].start != spans[$1].start ? spans[$0].start < spans[$1].start : ends[$0] > ends[$1]
        }
        var covered = [Bool](repeating: false, count: spans.count)
        var reach = Int.min  // the furthest end of the extents before the current one
        var position = 0
        while position < order.count {
            let first = order[position]
            var next = position
            while next < order.count, spans[order[next]].start == spans[first].start, ends[order[next]] == ends[first] {
                covered[order[next]] = reach >= ends[first]
                next += 1
            }
            reach = max(reach, ends[first])
            position = next
        }
        var kept: [Int] = []
        var seen = Set<Int>()
        for (index, span) in spans.enumerated() where !covered[index] && seen.insert(span.keyword).inserted {
            kept.append(span.keyword)
        }
        return kept
    }
}

/// Errors in a subcategory rules file.
public enum SubcategoryError: Error, CustomStringConvertible, Sendable {
    case unknownCategory(String)
    case invalid(String)
    public var description: String { "subcategory rules: \(reason)" }
    /// The message without the prefix.
    public var reason: String {
        switch self {
        case .unknownCategory(let path): return "'\(path)' is not in the taxonomy"
        case .invalid(let reason): return reason
        }
    }
}
