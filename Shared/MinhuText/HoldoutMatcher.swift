/// Finds the training rows that are the same message as a held-out one, so a held-out message never reaches
/// training in any form (raw, re-sent copy, or word-segmented with stop words removed).
///
/// Rule: a candidate's grams are the character trigrams inside each of its white-space-separated tokens
/// (a two-character token counts as itself); a candidate is a twin of held-out message *m* when it has at
/// least `minGrams` distinct grams and at least `threshold` (80 %) of them occur in *m*'s normalised text.
/// Segmentation only drops stop words, so a segmented twin keeps nearly all its grams; different messages
/// share far fewer.
public struct HoldoutMatcher: Sendable {
    public var threshold: Double
    public var minGrams: Int
    private var index: [UInt64: [Int32]] = [:]

    /// - Parameter heldOut: the held-out messages' texts.
    public init(heldOut: [String], threshold: Double = 0.8, minGrams: Int = 5) {
        self.threshold = threshold
        self.minGrams = minGrams
        for (m, text) in heldOut.enumerated() {
            let s = TextNormalizer.scalars(text)
            var grams = Set<UInt64>()
            s.withUnsafeBufferPointer { buf in
                for n in 2...3 where buf.count >= n {
                    for i in 0...(buf.count - n) { grams.insert(StableHash.hash(buf, i, n, seed: 0)) }
                }
            }
            for g in grams { index[g, default: []].append(Int32(m)) }
        }
    }

    /// The index of the held-out message `text` is a twin of, or nil.
    public func twin(of text: String) -> Int? {
        var grams = Set<UInt64>()
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            let s = TextNormalizer.scalars(token)
            s.withUnsafeBufferPointer { buf in
                if buf.count == 2 { grams.insert(StableHash.hash(buf, 0, 2, seed: 0)) }
                if buf.count >= 3 {
                    for i in 0...(buf.count - 3) { grams.insert(StableHash.hash(buf, i, 3, seed: 0)) }
                }
            }
        }
        guard grams.count >= minGrams else { return nil }
        var hits: [Int32: Int] = [:]
        for g in grams { for m in index[g] ?? [] { hits[m, default: 0] += 1 } }
        let need = threshold * Double(grams.count)
        var best: (Int32, Int)?
        for (m, c) in hits where Double(c) >= need {
            if best == nil || c > best!.1 || (c == best!.1 && m < best!.0) { best = (m, c) }
        }
        return best.map { Int($0.0) }
    }
}
