import Foundation

/// Parameters of the classifier's features; stored in the model header so a model always extracts features
/// the way it was trained.
public struct FeatureConfig: Codable, Sendable, Equatable {
    /// log2 of the hashed feature space.
    public var dimensionBits: Int = 19
    /// Character n-grams of length 1…maxN over the whole normalised text.
    public var maxN: Int = 3
    /// Character n-grams of the first `headLength` normalised characters (≈ the title) form a second block.
    public var headLength: Int = 20
    /// Weight of the head block (the whole-text and word blocks weigh 1).
    public var headWeight: Float = 1.0
    /// Dictionary words of length wordMinLength…wordMaxLength are found by forward maximum matching.
    public var wordMinLength: Int = 2
    public var wordMaxLength: Int = 6
    /// Only the first `maxChars` normalised characters are read (a 1 MB message costs no more than a long one).
    public var maxChars: Int = 1000
    /// Weight of the taxonomy block (`TaxonomyPrior`: per class, how many of its category-tree terms the text
    /// holds, divided by √(normalised length); no IDF, no norm), placed after the hashed space; nil for a model
    /// without it.
    public var taxonomyWeight: Float? = nil

    public init() {}

    public var dimension: Int { 1 << dimensionBits }
}

/// One hashed, weighted feature vector: sorted unique indices and their values.
public struct SparseVector: Sendable {
    public var indices: [Int32]
    public var values: [Float]
    public init(indices: [Int32] = [], values: [Float] = []) {
        self.indices = indices
        self.values = values
    }
}

/// Raw counts of one text's features, per block, before weighting.
public struct FeatureCounts: Sendable {
    /// (bucket, count) sorted by bucket, for each block: 0 = characters, 1 = words, 2 = head, and 3 = the
    /// taxonomy's terms per class (buckets `dimension + class`; the number of the class's distinct terms divided
    /// by √(normalised length)), when the model has them.
    public var blocks: [[(Int32, Float)]]
}

/// Turns text into hashed features: character 1…3-grams, dictionary words by maximum matching, and
/// the head's n-grams; each block gets sublinear TF × IDF and its own L2 norm. A model trained with a taxonomy
/// adds a fourth block after the hashed space: its classes' category-tree terms found in the text.
public struct FeatureExtractor: Sendable {
    public static let charSeed: UInt64 = 0x63
    public static let wordSeed: UInt64 = 0x77
    public static let headSeed: UInt64 = 0x68

    public let config: FeatureConfig
    let mask: UInt64
    let dictionary: WordSet
    let taxonomy: TaxonomyPrior?

    /// - Parameters:
    ///   - dictionaryHashes: `StableHash` values (seed `wordSeed`) of the dictionary's words.
    ///   - taxonomy: the category tree's terms per class; used only when `config.taxonomyWeight` is set.
    public init(config: FeatureConfig, dictionaryHashes: [UInt64], taxonomy: TaxonomyPrior? = nil) {
        self.config = config
        self.mask = UInt64(config.dimension - 1)
        self.dictionary = WordSet(dictionaryHashes)
        self.taxonomy = config.taxonomyWeight == nil ? nil : taxonomy
    }

    /// Features a model's weights cover: the hashed space plus one per class of the taxonomy block.
    public var featureCount: Int { config.dimension + (taxonomy?.termsByClass.count ?? 0) }

    /// Counts every block's hashed features.
    public func counts(_ text: some StringProtocol) -> FeatureCounts {
        let s = TextNormalizer.scalars(text, limit: config.maxChars)
        return s.withUnsafeBufferPointer { buf in
            // Incremental FNV: every n-gram starting at i shares the state of the shorter ones.
            let n = buf.count
            var chars: [Int32] = []
            chars.reserveCapacity(n * config.maxN)
            var head: [Int32] = []
            let hl = min(config.headLength, n)
            head.reserveCapacity(hl * config.maxN)
            for i in 0..<n {
                var c = StableHash.start(seed: Self.charSeed)
                var h = StableHash.start(seed: Self.headSeed)
                for len in 1...config.maxN where i + len <= n {
                    c = StableHash.feed(c, buf[i + len - 1])
                    chars.append(Int32(truncatingIfNeeded: StableHash.finish(c) & mask))
                    if i + len <= hl {
                        h = StableHash.feed(h, buf[i + len - 1])
                        head.append(Int32(truncatingIfNeeded: StableHash.finish(h) & mask))
                    }
                }
            }
            var words: [Int32] = []
            var i = 0
            while i < n {
                if TextNormalizer.isHan(buf[i]),
                   let match = dictionary.longestMatch(buf, at: i, minLength: config.wordMinLength,
                                                       maxLength: config.wordMaxLength, seed: Self.wordSeed) {
                    words.append(Int32(truncatingIfNeeded: match.hash & mask))
                    i += match.length
                } else {
                    i += 1
                }
            }
            var blocks = [Self.runLengths(&chars), Self.runLengths(&words), Self.runLengths(&head)]
            if let taxonomy {
                let base = Int32(config.dimension)
                // Density: a term in a long text counts for less, as one n-gram does in the L2-normalised blocks.
                let length = Float(max(n, 1)).squareRoot()
                blocks.append(taxonomy.counts(buf).enumerated().compactMap { k, c in
                    c > 0 ? (base + Int32(k), c / length) : nil
                })
            }
            return FeatureCounts(blocks: blocks)
        }
    }

    static func runLengths(_ buckets: inout [Int32]) -> [(Int32, Float)] {
        buckets.sort()
        var out: [(Int32, Float)] = []
        out.reserveCapacity(buckets.count)
        var i = 0
        while i < buckets.count {
            var j = i + 1
            while j < buckets.count && buckets[j] == buckets[i] { j += 1 }
            out.append((buckets[i], Float(j - i)))
            i = j
        }
        return out
    }

    /// Weights counts into one vector: per block (1 + ln tf) × idf, L2-normalised, times the block weight; the
    /// taxonomy block's densities are only multiplied by its weight. `idf` is only asked about the hashed space.
    public func vector(_ counts: FeatureCounts, idf: (Int32) -> Float) -> SparseVector {
        // Weight each block (already sorted by bucket), then merge the sorted blocks.
        var weighted: [[(Int32, Float)]] = []
        weighted.reserveCapacity(counts.blocks.count)
        for (b, block) in counts.blocks.enumerated() {
            let weight: Float = b == 2 ? config.headWeight : b == 3 ? (config.taxonomyWeight ?? 0) : 1
            var out = block
            if b == 3 {
                for p in out.indices { out[p].1 *= weight }
                weighted.append(out)
                continue
            }
            var norm: Float = 0
            for p in out.indices {
                let v = (1 + logf(out[p].1)) * idf(out[p].0)
                norm += v * v
                out[p].1 = v
            }
            if norm > 0 {
                let k = weight / norm.squareRoot()
                for p in out.indices { out[p].1 *= k }
            }
            weighted.append(out)
        }
        var v = SparseVector()
        let total = weighted.reduce(0) { $0 + $1.count }
        v.indices.reserveCapacity(total)
        v.values.reserveCapacity(total)
        var pos = [Int](repeating: 0, count: weighted.count)
        while true {
            var best = -1
            var bestIndex = Int32.max
            for b in weighted.indices where pos[b] < weighted[b].count && weighted[b][pos[b]].0 < bestIndex {
                best = b
                bestIndex = weighted[b][pos[b]].0
            }
            if best < 0 { break }
            let x = weighted[best][pos[best]].1
            pos[best] += 1
            if let last = v.indices.last, last == bestIndex { v.values[v.values.count - 1] += x } else {
                v.indices.append(bestIndex)
                v.values.append(x)
            }
        }
        return v
    }
}

/// An open-addressing table of 64-bit hashes, each with a small value (built once, read-only): the classifier's
/// dictionary (every value 0) and the taxonomy's terms (the value is the class).
struct WordSet: Sendable {
    private var slots: [UInt64]
    /// Empty when every value is 0 (the dictionary), so a plain set costs no more memory than its hashes.
    private var values: [Int32]
    private let mask: Int

    /// `values[i]` belongs to `hashes[i]`; without values every hash maps to 0.
    init(_ hashes: [UInt64], values given: [Int32]? = nil) {
        var size = 16
        while size < hashes.count * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        values = given == nil ? [] : Array(repeating: 0, count: size)
        mask = size - 1
        for (n, h) in hashes.enumerated() where h != 0 {
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[i] != 0 && slots[i] != h { i = (i + 1) & mask }
            slots[i] = h
            if let given { values[i] = given[n] }
        }
    }

    /// The value stored with `h`, or nil when `h` is not in the table.
    @inline(__always)
    func value(_ h: UInt64) -> Int32? {
        if h == 0 { return nil }
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s == h { return values.isEmpty ? 0 : values[i] }
            if s == 0 { return nil }
            i = (i + 1) & mask
        }
    }

    /// The longest entry starting at `start` (forward maximum matching over `StableHash` with `seed`), of
    /// `minLength…maxLength` scalars: its length, hash and value; nil when none matches.
    @inline(__always)
    func longestMatch(_ buf: UnsafeBufferPointer<UInt32>, at start: Int, minLength: Int, maxLength: Int,
                      seed: UInt64) -> (length: Int, hash: UInt64, value: Int32)? {
        var state = StableHash.start(seed: seed)
        var best: (length: Int, hash: UInt64, value: Int32)?
        var length = 0
        while length < min(maxLength, buf.count - start) {
            state = StableHash.feed(state, buf[start + length])
            length += 1
            if length >= minLength {
                let h = StableHash.finish(state)
                if let v = value(h) { best = (length, h, v) }
            }
        }
        return best
    }
}
