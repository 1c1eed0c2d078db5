import Foundation

/// What a confidence threshold does on a labelled evaluation: the share of appeals the dispatcher would route
/// automatically (confidence ≥ threshold; the rest go to the manual desk), and how many of those are right.
/// Operations choose `MINHU_DISPATCH_MIN_CONFIDENCE` from this table (`minhu classifier evaluate` prints it).
public struct ConfidenceCoverage: Sendable {
    public struct Row: Sendable, Equatable {
        public var threshold: Double
        /// Appeals at or above the threshold.
        public var automatic: Int
        /// Of those, correctly classified.
        public var correct: Int
        public var total: Int
        /// Share routed automatically.
        public var coverage: Double { total > 0 ? Double(automatic) / Double(total) : 0 }
        /// Accuracy of the automatic ones (1 when none is automatic).
        public var accuracy: Double { automatic > 0 ? Double(correct) / Double(automatic) : 1 }
    }

    public static let defaultThresholds: [Double] = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]

    public var rows: [Row]

    /// - Parameters: per appeal, the classifier's confidence and whether its category was right.
    public init(confidences: [Double], correct: [Bool], thresholds: [Double] = defaultThresholds) {
        rows = thresholds.map { t in
            var automatic = 0, right = 0
            for (c, ok) in zip(confidences, correct) where c >= t {
                automatic += 1
                if ok { right += 1 }
            }
            return Row(threshold: t, automatic: automatic, correct: right, total: min(confidences.count, correct.count))
        }
    }

    /// A plain-text table: threshold, share automatic, accuracy of the automatic ones, desk count.
    public func report() -> String {
        var out = "min confidence\tautomatic\taccuracy of automatic\tto the desk\n"
        for r in rows {
            out += String(format: "%.2f\t%d (%.1f%%)\t%.4f\t%d\n", r.threshold, r.automatic, r.coverage * 100, r.accuracy,
                          r.total - r.automatic)
        }
        return out
    }
}
