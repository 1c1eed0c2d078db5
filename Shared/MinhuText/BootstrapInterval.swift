import Foundation

/// How far a macro-F1 measured on a few hundred messages can be trusted: a percentile bootstrap interval. The
/// messages are resampled with replacement `samples` times (seeded, so the interval is reproducible) and macro-F1 is
/// recomputed on each resample; the interval holds the middle `level` share of those figures.
///
/// On the shipped model's 227 held-out messages (macro-F1 0.877) the 95 % interval is about 0.83–0.92: one message
/// moves the figure by about 0.004, so two models a few thousandths apart on such a set are not told apart by it.
public struct BootstrapInterval: Sendable, Hashable {
    public var low: Double
    public var high: Double
    public var level: Double
    public var samples: Int

    /// The interval of macro-F1 over `labels` for `truth` / `predicted` (pairwise).
    public init(truth: [String], predicted: [String], labels: [String], samples: Int = 1000, level: Double = 0.95,
                seed: UInt64 = 20261124) {
        precondition(truth.count == predicted.count, "truth and predicted must pair up")
        precondition(samples >= 1 && level > 0 && level < 1, "samples >= 1 and 0 < level < 1")
        self.level = level
        self.samples = samples
        guard !truth.isEmpty else {
            (low, high) = (0, 0)
            return
        }
        var rng = SplitMix64(seed: seed)
        var figures: [Double] = []
        figures.reserveCapacity(samples)
        var t: [String] = [], p: [String] = []
        t.reserveCapacity(truth.count)
        p.reserveCapacity(truth.count)
        for _ in 0..<samples {
            t.removeAll(keepingCapacity: true)
            p.removeAll(keepingCapacity: true)
            for _ in 0..<truth.count {
                let k = Int(rng.next() % UInt64(truth.count))
                t.append(truth[k])
                p.append(predicted[k])
            }
            figures.append(ClassificationMetrics(truth: t, predicted: p, labels: labels).macroF1)
        }
        figures.sort()
        // As many figures left out below the interval as above it.
        let outside = min((figures.count - 1) / 2, Int(((1 - level) / 2 * Double(figures.count)).rounded(.down)))
        low = figures[outside]
        high = figures[figures.count - 1 - outside]
    }
}
