import Foundation

/// Per-class precision, recall and F1, macro-F1 and the confusion matrix of a labelled evaluation.
public struct ClassificationMetrics: Sendable {
    public struct ClassScore: Sendable {
        public var label: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
    }

    public var labels: [String]
    /// confusion[truth][predicted]
    public var confusion: [[Int]]
    public var perClass: [ClassScore]
    public var macroF1: Double
    public var accuracy: Double

    /// - Parameters: truth and predicted labels, pairwise.
    public init(truth: [String], predicted: [String], labels: [String]? = nil) {
        let labels = labels ?? Array(Set(truth).union(predicted)).sorted()
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var confusion = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
        var correct = 0
        for (t, p) in zip(truth, predicted) {
            guard let ti = index[t], let pi = index[p] else { continue }
            confusion[ti][pi] += 1
            if ti == pi { correct += 1 }
        }
        var scores: [ClassScore] = []
        for (k, label) in labels.enumerated() {
            let tp = Double(confusion[k][k])
            let predictedK = Double(confusion.reduce(0) { $0 + $1[k] })
            let support = confusion[k].reduce(0, +)
            let p = predictedK > 0 ? tp / predictedK : 0
            let r = support > 0 ? tp / Double(support) : 0
            let f = p + r > 0 ? 2 * p * r / (p + r) : 0
            scores.append(ClassScore(label: label, precision: p, recall: r, f1: f, support: support))
        }
        let present = scores.filter { $0.support > 0 }
        self.labels = labels
        self.confusion = confusion
        self.perClass = scores
        self.macroF1 = present.isEmpty ? 0 : present.reduce(0) { $0 + $1.f1 } / Double(present.count)
        self.accuracy = truth.isEmpty ? 0 : Double(correct) / Double(truth.count)
    }

    /// A plain-text report: the per-class table, macro-F1, accuracy and the confusion matrix.
    public func report() -> String {
        var out = "class\tprecision\trecall\tF1\tsupport\n"
        for s in perClass {
            out += "\(s.label)\t\(Self.f(s.precision))\t\(Self.f(s.recall))\t\(Self.f(s.f1))\t\(s.support)\n"
        }
        out += "macro-F1\t\(Self.f(macroF1))\naccuracy\t\(Self.f(accuracy))\t(n=\(confusion.reduce(0) { $0 + $1.reduce(0, +) }))\n"
        out += "\nconfusion matrix (rows = truth, columns = predicted)\n"
        out += "truth\\predicted\t" + labels.joined(separator: "\t") + "\n"
        for (k, row) in confusion.enumerated() {
            out += labels[k] + "\t" + row.map(String.init).joined(separator: "\t") + "\n"
        }
        return out
    }

    static func f(_ x: Double) -> String { String(format: "%.4f", x) }
}
