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
    }
}
