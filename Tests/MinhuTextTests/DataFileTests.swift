import Foundation
import MinhuText
import Testing

/// `DataFile`: reads and writes with reasons a person can act on, and nothing written when the target is wrong.
@Suite("Data files: readable errors")
struct DataFileTests {
    /// Runs `body` with a fresh empty folder, removed afterwards.
    private func inScratchFolder(_ body: (URL) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minhu-datafile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder)
    }

    @Test("a missing file and a folder are named with the reason")
    func unreadable() throws {
        try inScratchFolder { folder in
            let missing = folder.appendingPathComponent("none.csv")
            #expect(throws: DataFileError.cannotRead(missing.path, "no such file")) { try DataFile.read(missing) }
            #expect(throws: DataFileError.cannotRead(folder.path, "it is a folder")) { try DataFile.read(folder) }
            #expect((try? CSVTable(contentsOf: missing)) == nil)
        }
    }

    @Test("an output in a missing folder, or onto a folder, is refused before anything is written")
    func unwritable() throws {
        try inScratchFolder { folder in
            let inMissing = folder.appendingPathComponent("no/out.csv")
            #expect(throws: DataFileError.cannotWrite(inMissing.path, "the folder \(folder.path)/no does not exist")) {
                try DataFile.write("x", to: inMissing)
            }
            #expect(throws: DataFileError.cannotWrite(folder.path, "it is a folder")) { try DataFile.checkWritable(folder) }
            let entries = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(entries.isEmpty)
        }
    }

    @Test("what is written is read back, replacing the old file whole")
    func roundTrip() throws {
        try inScratchFolder { folder in
            let file = folder.appendingPathComponent("out.csv")
            try DataFile.write("id,category\n1,城乡建设\n", to: file)
            try DataFile.write("id,category\n", to: file)
            let plain = try DataFile.read(file), mapped = try DataFile.read(file, mapped: true)
            #expect(String(decoding: plain, as: UTF8.self) == "id,category\n")
            #expect(String(decoding: mapped, as: UTF8.self) == "id,category\n")
        }
    }

    @Test("a file of white space is an empty CSV, named as such")
    func emptyCSV() throws {
        try inScratchFolder { folder in
            let file = folder.appendingPathComponent("empty.csv")
            try DataFile.write(" \r\n\n", to: file)
            #expect(throws: CSVError.emptyFile(file.path)) { try CSVTable(contentsOf: file) }
        }
    }

    private struct Sample: Decodable {
        struct Item: Decodable { var name: String }
        var version: Int
        var items: [Item]
    }

    @Test("a JSON file that is broken, or of the wrong shape, is named with where it goes wrong", arguments: [
        ("{\"version\": 1,\n \"items\": [", ": not valid JSON at its end (line 2): the file is cut short: "),
        ("{\"version\": 1,\n \"items\": [\n", ": not valid JSON at its end (line 2): the file is cut short: "),
        ("{\n  \"version\": 1,\n  \"items\": [x]\n}", ": not valid JSON at line 3, column 13: "),
        ("{\"名称\": 1,\n \"b\": ]}", ": not valid JSON at line 2, column 7: "),
        ("{\"items\": []}", ": version is missing"),
        ("{\"version\": \"one\", \"items\": []}", ": version: expected a number"),
        ("{\"version\": 1, \"items\": [{\"name\": \"a\"}, {\"name\": 2}]}", ": items[1].name: expected a string"),
    ])
    func badJSON(text: String, expected: String) throws {
        try inScratchFolder { folder in
            let file = folder.appendingPathComponent("rules.json")
            try DataFile.write(text, to: file)
            do {
                _ = try DataFile.decodeJSON(Sample.self, from: file)
                Issue.record("decoded \(text)")
            } catch let error as DataFileError {
                #expect("\(error)".hasPrefix(file.path + expected), "\(error)")
            }
        }
        try inScratchFolder { folder in
            let file = folder.appendingPathComponent("rules.json")
            try DataFile.write("{\"version\": 1, \"items\": [{\"name\": \"a\"}]}", to: file)
            #expect(try DataFile.decodeJSON(Sample.self, from: file).items.map(\.name) == ["a"])
        }
    }
}
