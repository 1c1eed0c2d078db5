/// The terms of `SimilarityIndex` that stand for an appeal's place: the place token, the bigrams of the place's
/// name, and the bigrams that straddle the name where the text holds it ("丽发新城小区" also gives "城小"). Taking
/// them out of an appeal's vectors leaves what it says about its matter, so that a shared place alone does not
/// make two appeals similar.
struct PlaceGrams {
    /// A part of a normalised vector, with the part's own norm.
    struct Part {
        var vector: [(UInt64, Float)]
        var norm: Float

        /// The cosine between this part and another vector's part (`grams` sorted, `weights` of the whole
        /// normalised vector, `norm` the part's norm).
        func cosine(_ grams: [UInt64], _ weights: [Float], norm other: Float) -> Float {
            guard norm > 0, other > 0 else { return 0 }
            return SimilarityIndex.dot(vector, grams, weights) / (norm * other)
        }
    }

    private(set) var grams: Set<UInt64> = []

    /// The place grams of `place` in the normalised `texts` (none without a place).
    init(place: String?, texts: [[UInt32]]) {
        guard let place, !place.isEmpty else { return }
        let name = TextNormalizer.scalars(place, limit: 64)
        grams = Set(SimilarityIndex.bigrams(name))
        grams.insert(SimilarityIndex.placeToken(place))
        guard name.count >= 2 else { return }
        for text in texts where text.count >= name.count {
            for start in 0...(text.count - name.count) where text[start] == name[0] {
                guard text[start..<(start + name.count)].elementsEqual(name) else { continue }
                let end = start + name.count
                if start > 0 { grams.insert(SimilarityIndex.bigram(text[start - 1], text[start])) }
                if end < text.count { grams.insert(SimilarityIndex.bigram(text[end - 1], text[end])) }
            }
        }
    }

    /// The part of the normalised vector `v` (sorted by gram) without the place grams.
    func matter(of v: [(UInt64, Float)]) -> Part {
        let kept = grams.isEmpty ? v : v.filter { !grams.contains($0.0) }
        return Part(vector: kept, norm: kept.reduce(0) { $0 + $1.1 * $1.1 }.squareRoot())
    }
}
