import Foundation
import Testing
@testable import MinhuText

@Suite("Bootstrap interval of macro-F1")
struct BootstrapIntervalTests {
    @Test("perfect predictions give [1, 1]; errors widen it around the figure; the same seed gives the same interval")
    func interval() {
        let labels = ["a", "b", "c"]
        let truth = (0..<300).map { labels[$0 % 3] }
        let perfect = BootstrapInterval(truth: truth, predicted: truth, labels: labels, samples: 200)
        #expect(perfect.low == 1 && perfect.high == 1)

        // Every tenth message wrong: macro-F1 0.9 or so, and an interval that holds it and is not a point.
        let predicted = truth.enumerated().map { $0.offset % 10 == 0 ? labels[($0.offset + 1) % 3] : $0.element }
        let figure = ClassificationMetrics(truth: truth, predicted: predicted, labels: labels).macroF1
        let interval = BootstrapInterval(truth: truth, predicted: predicted, labels: labels, samples: 500)
        #expect(interval.low < figure && figure < interval.high)
        #expect(interval.high - interval.low > 0.02 && interval.high - interval.low < 0.2)
        #expect(BootstrapInterval(truth: truth, predicted: predicted, labels: labels, samples: 500) == interval)
        let narrower = BootstrapInterval(truth: truth, predicted: predicted, labels: labels, samples: 500, level: 0.5)
        #expect(narrower.low >= interval.low && narrower.high <= interval.high)
        #expect(narrower.high - narrower.low < interval.high - interval.low)
    }
}
