import Foundation

/// What the category tree itself says about a text: for each first-level class, how many of its own terms the
/// text holds. A class's terms are the 2…4-character pieces of its level-2 and level-3 names (物业服务 gives 物业,
/// 业服, 服务, 物业服, 业服务, 物业服务) that belong to that class alone among the classes the model predicts.
///
/// The tree states the jurisdiction's own conventions, which the labelled messages only show by example: 物业服务,
/// 公共汽车 and 地铁城铁 are 城乡建设, 邮政 and 快递 交通运输, 医疗保险 劳动和社会保障. The classifier adds these counts as
/// one feature block (`FeatureConfig.taxonomyWeight`); the terms travel in the model file, so a model classifies
/// without the taxonomy file. Only names are read, never message text.
public struct TaxonomyPrior: Sendable {
    /// Each class's terms, in the model's label order.
    public let termsByClass: [[String]]
    /// Every term's hash (seed `seed`) with its class.
    private let table: WordSet
    /// The shortest and longest term, in scalars.
    private let lengths: ClosedRange<Int>

    static let seed: UInt64 = 0x74

    /// Terms of each label from taxonomy rows (`level1, level2, level3`); rows whose level 1 is not a label, and
    /// the catch-all name 其他, give none.
    public static func terms(rows: [(String, String, String)], labels: [String], minLength: Int = 2,
                             maxLength: Int = 4) -> [[String]] {
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var owners: [String: Set<Int>] = [:]
        for (level1, level2, level3) in rows {
            guard let k = index[level1] else { continue }
            for name in [level2, level3] where !name.isEmpty && name != "其他" {
                let s = Array(TextNormalizer.normalize(name).unicodeScalars)
                guard s.count >= minLength else { continue }
                for length in minLength...min(maxLength, s.count) {
                    for start in 0...(s.count - length) {
                        var piece = String.UnicodeScalarView()
                        piece.append(contentsOf: s[start..<(start + length)])
                        owners[String(piece), default: []].insert(k)
                    }
                }
            }
        }
        var out = [[String]](repeating: [], count: labels.count)
        for (term, owner) in owners where owner.count == 1 { out[owner.first!].append(term) }
        return out.map { $0.sorted() }
    }

    public init(termsByClass: [[String]]) {
        self.termsByClass = termsByClass
        var hashes: [UInt64] = []
        var classes: [Int32] = []
        var shortest = Int.max, longest = 0
        for (k, terms) in termsByClass.enumerated() {
            for term in terms {
                let s = TextNormalizer.scalars(term)
                guard !s.isEmpty else { continue }
                hashes.append(s.withUnsafeBufferPointer { StableHash.hash($0, 0, $0.count, seed: Self.seed) })
                classes.append(Int32(k))
                shortest = min(shortest, s.count)
                longest = max(longest, s.count)
            }
        }
        table = WordSet(hashes, values: classes)
        lengths = longest == 0 ? 1...1 : shortest...longest
    }

    /// For each class, the number of its distinct terms in the normalised text `scalars`, found by forward
    /// maximum matching: 房产证 is one term, not also 房产 and 产证.
    public func counts(_ scalars: UnsafeBufferPointer<UInt32>) -> [Float] {
        var counts = [Float](repeating: 0, count: termsByClass.count)
        var seen: [UInt64] = []
        var start = 0
        while start < scalars.count {
            if TextNormalizer.isHan(scalars[start]),
               let match = table.longestMatch(scalars, at: start, minLength: lengths.lowerBound,
                                              maxLength: lengths.upperBound, seed: Self.seed) {
                if !seen.contains(match.hash) {
                    seen.append(match.hash)
                    counts[Int(match.value)] += 1
                }
                start += match.length
            } else {
                start += 1
            }
        }
        return counts
    }

    /// The counts of a text (normalised here).
    public func counts(_ text: some StringProtocol) -> [Float] {
        TextNormalizer.scalars(text).withUnsafeBufferPointer { counts($0) }
    }
}
