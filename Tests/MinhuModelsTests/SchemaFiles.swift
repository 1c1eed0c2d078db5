import Foundation
import Testing
@testable import MinhuModels

/// Finds and reads `docs/messages/*.schema.json` from this file's location in the repository.
enum SchemaFiles {
    struct Schema {
        var name: String
        var required: [String]
        var properties: [String: Any]
        var object: [String: Any]
    }

    static var directory: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent()   // MinhuModelsTests
            .deletingLastPathComponent()   // Tests
            .deletingLastPathComponent()   // repository
            .appendingPathComponent("docs/messages", isDirectory: true)
    }

    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".schema.json") }
            .map { String($0.dropLast(".schema.json".count)) }
            .sorted()
    }

    static func load(_ name: String) throws -> Schema {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(name).schema.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return Schema(name: name, required: object["required"] as? [String] ?? [],
                      properties: object["properties"] as? [String: Any] ?? [:], object: object)
    }
}
