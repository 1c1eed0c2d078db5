import Foundation
import Testing
@testable import MinhuText

@Suite("CSV reader")
struct CSVTableTests {
    @Test("quotes, doubled quotes, embedded commas and newlines, CRLF and a BOM")
    func rfc4180() {
        let text = "\u{FEFF}id,title,detail\r\n1,\"a, b\",\"line 1\nline 2\"\r\n2,\"say \"\"hi\"\"\",plain\n3,,\n"
        let t = CSVTable(text: text)
        #expect(t.header == ["id", "title", "detail"])
        #expect(t.rows.count == 3)
        #expect(t.rows[0] == ["1", "a, b", "line 1\nline 2"])
        #expect(t.rows[1] == ["2", "say \"hi\"", "plain"])
        #expect(t.rows[2] == ["3", "", ""])
        #expect(t.column("detail")?.first == "line 1\nline 2")
    }

    @Test("short rows are padded, escape round-trips")
    func padding() {
        let t = CSVTable(text: "a,b,c\n1\n")
        #expect(t.rows == [["1", "", ""]])
        let field = "x,\"y\"\nz"
        #expect(CSVTable.parse("f\n" + CSVTable.escape(field) + "\n")[1] == [field])
        // Scalars, not characters: CR LF is one Character, and so is a comma or quote with a combining mark.
        for odd in ["a\r\nb", "a,\u{301}b", "\"\u{301}x", "x\"\u{301}"] {
            let escaped = CSVTable.escape(odd)
            #expect(escaped.hasPrefix("\"") && CSVTable.parse("f,g\n" + escaped + ",1\n")[1] == [odd, "1"], "\(escaped)")
        }
    }

    @Test("a quoted field that never closes is found with the line it opened on; balanced quotes are not")
    func unterminatedQuote() {
        #expect(CSVTable.scan("id,title\n1,\"ok\"\n2,\"cut short\n3,more\n").openQuoteLine == 3)
        #expect(CSVTable.scan("id,title\r\n1,\"a\nb\"\r\n2,\"c\"\"d\n").openQuoteLine == 4)  // lines as an editor counts them
        #expect(CSVTable.scan("id,title\n1,\"a\nb\"\n2,x\"y\n").openQuoteLine == nil)
    }

    /// "id,title\n1,测试小区噪音\n" in GBK (GB18030's two-byte part): what Excel on Chinese Windows saves as CSV.
    static let gbkBytes: [UInt8] = Array("id,title\n1,".utf8) + [0xB2, 0xE2, 0xCA, 0xD4, 0xD0, 0xA1, 0xC7, 0xF8, 0xD4, 0xEB, 0xD2, 0xF4] + [0x0A]

    @Test("files in GB18030/GBK and UTF-16 with a byte-order mark are read; other bytes are refused by name")
    func encodings() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minhu-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func table(_ bytes: [UInt8]) throws -> CSVTable {
            let url = folder.appendingPathComponent("\(UUID().uuidString).csv")
            try Data(bytes).write(to: url)
            return try CSVTable(contentsOf: url)
        }
        let gbk = try table(Self.gbkBytes)
        #expect(gbk.encoding == .gb18030)
        #expect(gbk.rows == [["1", "测试小区噪音"]])
        // A four-byte GB18030 sequence (outside GBK): U+20000, a rare Han character of the kind names use.
        let four = try table(Array("t\n".utf8) + [0x95, 0x32, 0x82, 0x36] + [0x0A])
        #expect(four.rows == [["\u{20000}"]])
        let utf16 = try table([0xFF, 0xFE] + Array("id,title\n1,测试\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        #expect(utf16.encoding == .utf16)
        #expect(utf16.header == ["id", "title"] && utf16.rows == [["1", "测试"]])
        let utf8 = try table(Array("\u{FEFF}id,title\n1,测试\n".utf8))
        #expect(utf8.encoding == .utf8 && utf8.header == ["id", "title"])
        #expect(throws: CSVError.self) { try table([0x69, 0x64, 0x0A, 0xFF, 0xFF, 0x0A]) }
    }
}
