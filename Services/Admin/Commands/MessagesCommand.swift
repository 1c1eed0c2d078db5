import ArgumentParser
import Foundation
import MinhuModels

/// `minhu messages`: the machine-readable message reference (schemas in `docs/messages`).
struct MessagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "messages",
        abstract: "Message reference: examples of every message with a schema in docs/messages.",
        subcommands: [Examples.self])

    /// `minhu messages examples --out DIR`: one `<schema>.json` per schema, encoded by the Swift types, for
    /// `scripts/check-schemas DIR`.
    struct Examples: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "examples",
            abstract: "Write one example body per message schema as DIR/<schema>.json.",
            discussion: "Check them against docs/messages with: scripts/check-schemas DIR")

        @Option(name: .long, help: ArgumentHelp("Directory to write the examples to (created if missing).",
                                                valueName: "DIR"))
        var out: String

        func run() throws {
            let directory = URL(fileURLWithPath: out, isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let examples = try MessageExamples.all()
            for example in examples {
                try example.json.write(to: directory.appendingPathComponent("\(example.schema).json"),
                                       options: .atomic)
            }
            print("wrote \(examples.count) examples to \(directory.path)")
        }
    }
}
