import Testing
@testable import MinhuText

@Suite("Confidence thresholds: coverage and accuracy of the automatic share")
struct ConfidenceCoverageTests {
    @Test("each threshold counts the appeals at or above it and the right ones among them")
    func counts() {
        let table = ConfidenceCoverage(confidences: [0.99, 0.95, 0.7, 0.6, 0.3, 0.1],
                                       correct: [true, true, false, true, false, true],
                                       thresholds: [0, 0.6, 0.95, 1])
        #expect(table.rows.map(\.automatic) == [6, 4, 2, 0])
        #expect(table.rows.map(\.correct) == [4, 3, 2, 0])
        #expect(table.rows[1].coverage == 4.0 / 6.0 && table.rows[1].accuracy == 0.75)
        #expect(table.rows[3].accuracy == 1, "no automatic appeal: nothing wrong")
        #expect(table.report().contains("0.60\t4 (66.7%)\t0.7500\t2"))
    }

    @Test("the shipped model on the held-out raw messages: the desk takes the least confident, where the errors are",
          .enabled(if: TestPaths.hasAppeals && TestPaths.model != nil, "shared data or shipped model missing"))
    func shippedModel() throws {
        let model = try #require(TestPaths.model)
        let rows = try TestPaths.heldOutRows()
        let results = rows.map { model.classify($0.text) }
        let table = ConfidenceCoverage(confidences: results.map(\.confidence),
                                       correct: zip(rows, results).map { $0.label == $1.category }, thresholds: [0, 0.6, 0.9])
        let all = table.rows[0], default6 = table.rows[1], strict = table.rows[2]
        #expect(all.automatic == rows.count)
        // Confidence must rank errors low: the automatic share gets more accurate as the threshold rises.
        #expect(default6.accuracy > all.accuracy, "at 0.6: \(default6.accuracy) vs all \(all.accuracy)")
        #expect(strict.accuracy > all.accuracy + 0.04, "at 0.9: \(strict.accuracy) vs all \(all.accuracy)")
        #expect(default6.coverage > 0.7, "the default threshold sends \(default6.total - default6.automatic) of \(all.total) to the desk")
    }
}
