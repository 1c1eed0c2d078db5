import Foundation
@testable import MinhuText

/// Paths the tests share: the repository (from this file) and the shared appeal data beside it.
enum TestPaths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
    static let repository = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let appeals = repository.deletingLastPathComponent().appendingPathComponent("shared/data/appeals")
    static var hasAppeals: Bool { FileManager.default.fileExists(atPath: appeals.appendingPathComponent("appeals-train-raw.csv").path) }
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures")

    static let model: TextClassifier? = try? ShippedModel.loadClassifier(environment: [:])
    static let rules: AppealRules? = try? AppealRules.loadShipped(environment: [:])
    static let places: PlaceRecognizer? = try? PlaceRecognizer.loadShipped(environment: [:])

    /// The held-out raw messages of `models/heldout-ids.txt`, with their labels.
    static func heldOutRows() throws -> [LabeledText] {
        let ids = Set(try TextDataset.loadIDs(repository.appendingPathComponent("models/heldout-ids.txt")))
        return try TextDataset.load(appeals.appendingPathComponent("appeals-train-raw.csv"),
                                    textColumns: ["title", "detail"], labelColumn: "category").filter { ids.contains($0.id) }
    }
}

/// Small labelled corpora for training tests.
enum ToyCorpus {
    /// Each topic's texts three times over ("… 第0次 反映", "… 第1次 反映", …), labelled with the topic.
    static func examples(_ topics: [(String, [String])]) -> [LabeledText] {
        var examples: [LabeledText] = []
        for (label, texts) in topics {
            for (i, t) in texts.enumerated() {
                for k in 0..<3 { examples.append(LabeledText(id: "\(label)\(i)\(k)", text: t + " 第\(k)次 反映", label: label)) }
            }
        }
        return examples
    }
}
