/// The titles of a `SimilarityIndex` cluster's members as one vector: in how many titles each bigram occurs,
/// weighted by IDF when compared. The norm is cached and recomputed only when members were added since.
struct TitleCentroid: Sendable {
    private(set) var counts: [UInt64: Float] = [:]
    /// The bigrams in the order they were first added, for a norm summed in the same order in every process (a
    /// dictionary's order is seeded per process).
    private var order: [UInt64] = []
    private(set) var titles = 0
    private var norm: Float = 0
    private var normTitles = -1

    /// Adds a member's title bigrams (each once).
    mutating func add(_ titleGrams: [UInt64]) {
        for g in titleGrams {
            if let n = counts[g] { counts[g] = n + 1 } else {
                counts[g] = 1
                order.append(g)
            }
        }
        titles += 1
    }

    /// The dot product of `v` (bigram, weight) with the centroid divided by the centroid's norm, both weighted
    /// by `idf`; 0 for an empty centroid.
    mutating func cosine(_ v: [(UInt64, Float)], idf: (UInt64) -> Float) -> Float {
        if normTitles != titles {
            norm = order.reduce(Float(0)) { sum, gram in
                let w = (counts[gram] ?? 0) * idf(gram)
                return sum + w * w
            }.squareRoot()
            normTitles = titles
        }
        guard norm > 0 else { return 0 }
        var dot: Float = 0
        for (g, w) in v {
            if let n = counts[g] { dot += w * n * idf(g) }
        }
        return dot / norm
    }
}
