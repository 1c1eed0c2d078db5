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
    public let minLength: Int
    public let maxLength: Int
    private let keys: [UInt64]
    private let classes: [Int32]
    private let mask: Int

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

    public init(termsByClass: [[String]], minLength: Int = 2, maxLength: Int = 4) {
        self.termsByClass = termsByClass
        self.minLength = minLength
        self.maxLength = maxLength
        let count = termsByClass.reduce(0) { $0 + $1.count }
        var size = 16
        while size < count * 2 { size <<= 1 }
        var keys = [UInt64](repeating: 0, count: size)
        var classes = [Int32](repeating: -1, count: size)
        mask = size - 1
        for (k, terms) in termsByClass.enumerated() {
            for term in terms {
                let s = TextNormalizer.scalars(term)
                let h = s.withUnsafeBufferPointer { StableHash.hash($0, 0, $0.count, seed: Self.seed) }
                var i = Int(truncatingIfNeeded: h) & mask
                while keys[i] != 0 && keys[i] != h { i = (i + 1) & mask }
                keys[i] = h
                classes[i] = Int32(k)
            }
        }
        self.keys = keys
        self.classes = classes
    }

    /// For each class, the number of its distinct terms in the normalised text `scalars`, found by forward
    /// maximum matching: 房产证 is one term, not also 房产 and 产证.
    public func counts(_ scalars: UnsafeBufferPointer<UInt32>) -> [Float] {
        var counts = [Float](repeating: 0, count: termsByClass.count)
        var seen: [UInt64] = []
        let n = scalars.count
        var start = 0
        while start < n {
            var matched = 0
            var matchedHash: UInt64 = 0
            var matchedClass: Int32 = -1
            if TextNormalizer.isHan(scalars[start]) {
                var state = StableHash.start(seed: Self.seed)
                for length in 1...maxLength where start + length <= n {
                    state = StableHash.feed(state, scalars[start + length - 1])
                    guard length >= minLength else { continue }
                    let h = StableHash.finish(state)
                    let k = lookup(h)
                    if k >= 0 { matched = length; matchedHash = h; matchedClass = k }
                }
            }
            if matched > 0, !seen.contains(matchedHash) {
                seen.append(matchedHash)
                counts[Int(matchedClass)] += 1
            }
            start += max(matched, 1)
        }
        return counts
    }

    /// The counts of a text (normalised here).
    public func counts(_ text: some StringProtocol) -> [Float] {
        TextNormalizer.scalars(text).withUnsafeBufferPointer { counts($0) }
    }

    @inline(__always)
    private func lookup(_ h: UInt64) -> Int32 {
        if h == 0 { return -1 }
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let key = keys[i]
            if key == h { return classes[i] }
            if key == 0 { return -1 }
            i = (i + 1) & mask
        }
    }
}
