import Foundation
import Testing
@testable import MinhuModels

@Suite("Schemas and examples")
struct SchemaCoverageTests {
    @Test("every schema file has an example and every example a schema file")
    func coverage() throws {
        let schemas = try SchemaFiles.names()
        let examples = try MessageExamples.all().map(\.schema).sorted()
        #expect(!schemas.isEmpty)
        #expect(schemas == examples)
    }

    @Test("each schema describes its example: required keys present, every key described, type and version match")
    func describesExample() throws {
        for example in try MessageExamples.all() {
            let schema = try SchemaFiles.load(example.schema)
            let object = try #require(try JSONSerialization.jsonObject(with: example.json) as? [String: Any])
            for key in schema.required {
                #expect(object[key] != nil, "\(example.schema): example lacks required '\(key)'")
            }
            for key in object.keys {
                #expect(schema.properties[key] != nil, "\(example.schema): '\(key)' not described")
            }
            #expect(schema.object["x-minhu-message-type"] as? String == example.messageType)
            #expect(schema.object["x-minhu-schema-version"] as? Int == type(of: example.value).schemaVersion)
            #expect(schema.object["x-minhu-exchange"] as? String == example.route.exchange)
            #expect(schema.object["additionalProperties"] as? Bool == true)
        }
    }

    /// Writes every example as `<schema>.json` into `$MINHU_DUMP_EXAMPLES` when set, for `scripts/check-schemas`.
    @Test("dump examples for scripts/check-schemas")
    func dump() throws {
        guard let path = ProcessInfo.processInfo.environment["MINHU_DUMP_EXAMPLES"], !path.isEmpty else { return }
        let directory = URL(fileURLWithPath: path, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for example in try MessageExamples.all() {
            try example.json.write(to: directory.appendingPathComponent("\(example.schema).json"))
        }
    }
}
