import Foundation
import Testing
@testable import MinhuModels

@Suite("Working calendar: files and errors")
struct CalendarParsingTests {
    func d(_ text: String) -> LocalDate { CalendarFixtures.date(text) }

    /// The error thrown by `body`, or nil.
    func error(_ body: () throws -> Void) -> CalendarError? {
        do { try body() } catch let error as CalendarError { return error } catch { return nil }
        return nil
    }

    @Test("parses a file with BOM, CRLF, comments, blank lines and commas in names")
    func parsesTolerantly() throws {
        let text = "\u{FEFF}date,kind,name\r\n# comment\r\n\r\n2030-01-01,holiday,元旦\r\n"
            + "2030-01-05 , workday , 调休上班（元旦, 补）\r\n2030-01-02,holiday,\n"
        let entries = try CalendarCSV.parse(text, source: "2030.csv", year: 2030)
        #expect(entries == [
            CalendarEntry(date: d("2030-01-01"), kind: .holiday, name: "元旦"),
            CalendarEntry(date: d("2030-01-05"), kind: .workday, name: "调休上班（元旦, 补）"),
            CalendarEntry(date: d("2030-01-02"), kind: .holiday, name: ""),
        ])
        let calendar = try WorkingCalendar(csv: text)
        #expect(calendar.coveredYears == 2030...2030)
        #expect(calendar.isWorkingDay(d("2030-01-05")))
        #expect(calendar.name(of: d("2030-01-02")) == nil)  // an empty name is no name
        #expect(CalendarCSV.render(entries).hasPrefix("date,kind,name\n2030-01-01,holiday,元旦\n2030-01-02"))
        // A spreadsheet's quotes around a name with a comma are not part of the name.
        let quoted = try CalendarCSV.parse("date,kind,name\n2030-01-01,holiday,\"元旦,新年\"\n"
                                           + "2030-01-02,holiday,\"说\"\"元旦\"\"\"\n")
        #expect(quoted.map(\.name) == ["元旦,新年", "说\"元旦\""])
    }

    @Test("every bundled file round-trips through render and parse")
    func bundledFilesRoundTrip() throws {
        let calendar = CalendarFixtures.builtIn
        let reparsed = try CalendarCSV.parse(CalendarCSV.render(calendar.entries))
        #expect(reparsed == calendar.entries)
    }

    @Test("errors name the line and the reason", arguments: [
        ("2024-01-01,holiday,元旦\n", 1, "expected the header"),
        ("date,kind,name\n2024-01-01,holiday,元旦\n2024-13-01,holiday,x\n", 3, "invalid date '2024-13-01'"),
        ("date,kind,name\n2024-02-30,holiday,x\n", 2, "invalid date '2024-02-30'"),
        ("date,kind,name\n\n2024-01-01,holliday,元旦\n", 3, "unknown kind 'holliday'"),
        ("date,kind,name\n2024-02-05,workday,调休\n", 2, "2024-02-05 is a Monday"),
        ("date,kind,name\n2024-01-01,holiday,a\n2024-01-01,holiday,b\n", 3, "listed twice (first on line 2)"),
        ("date,kind,name\n2025-01-01,holiday,元旦\n", 2, "not in 2024"),
        ("date,kind,name\n2024-01-01\n", 2, "expected 3 fields"),
        ("date,kind,name\n2024-01-01,holiday,元\u{0}旦\n", 2, "control character"),
    ])
    func parseErrors(text: String, line: Int, reason: String) {
        let failure = error { _ = try CalendarCSV.parse(text, source: "2024.csv", year: 2024) }
        #expect(failure?.line == line)
        #expect(failure?.source == "2024.csv")
        #expect(failure?.reason.contains(reason) == true, "\(String(describing: failure))")
        #expect(failure?.description.hasPrefix("2024.csv:\(line): ") == true)
    }

    @Test("an empty file is an error")
    func emptyFile() {
        let failure = error { _ = try CalendarCSV.parse("\n\n", source: "x.csv") }
        #expect(failure?.description == "x.csv: empty file: expected the header 'date,kind,name'")
    }

    @Test("entries from elsewhere (the database) are checked too")
    func entryChecks() {
        let duplicate = error {
            _ = try WorkingCalendar(entries: [CalendarEntry(date: d("2024-01-01"), kind: .holiday, name: "a"),
                                              CalendarEntry(date: d("2024-01-01"), kind: .holiday, name: "b")])
        }
        #expect(duplicate?.reason == "2024-01-01 is listed twice")
        let weekday = error {
            _ = try WorkingCalendar(entries: [CalendarEntry(date: d("2024-01-02"), kind: .workday, name: "")])
        }
        #expect(weekday?.reason.contains("Tuesday") == true)
    }

    @Test("a folder loads every YYYY.csv, so adding a year is adding a file")
    func loadsFolder() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("minhu-calendar-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try #require(WorkingCalendar.builtInDirectory)
        for year in 2024...2026 {
            try FileManager.default.copyItem(at: source.appendingPathComponent("\(year).csv"),
                                             to: folder.appendingPathComponent("\(year).csv"))
        }
        try "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,holiday,测试\n"
            .write(to: folder.appendingPathComponent("2027.csv"), atomically: true, encoding: .utf8)
        try "not a calendar".write(to: folder.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let calendar = try WorkingCalendar.load(directory: folder)
        #expect(calendar.coveredYears == 2024...2027)
        #expect(calendar.addWorkingDays(1, to: d("2026-12-31")) == d("2027-01-05"))
        #expect(calendar.name(of: d("2027-01-04")) == "测试")

        try "date,kind,name\n2028-01-01,holiday,元旦\n"
            .write(to: folder.appendingPathComponent("2027.csv"), atomically: true, encoding: .utf8)
        let wrongYear = error { _ = try WorkingCalendar.load(directory: folder) }
        #expect(wrongYear?.description == "2027.csv:2: date 2028-01-01 is not in 2027, the year this file is for")
    }

    @Test("a folder without calendar files is an error")
    func emptyFolder() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("minhu-calendar-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(error { _ = try WorkingCalendar.load(directory: folder) }?.reason == "no YYYY.csv calendar file in the folder")
    }

    @Test("files given as name and contents")
    func loadsFiles() throws {
        let calendar = try WorkingCalendar.load(files: [
            (name: "2031.csv", contents: "date,kind,name\n2031-01-01,holiday,元旦\n"),
            (name: "2030.csv", contents: "date,kind,name\n2030-01-01,holiday,元旦\n"),
        ])
        #expect(calendar.coveredYears == 2030...2031)
        #expect(!calendar.isWorkingDay(d("2031-01-01")))
    }

    @Test("office hours parse and validate")
    func officeHours() throws {
        #expect(OfficeHours.standard.secondsPerDay == 28_800)
        #expect(OfficeHours.standard.description == "09:00–17:00")
        #expect(OfficeHours(opens: "08:30", closes: "17:30")?.secondsPerDay == 32_400)
        #expect(OfficeHours(opens: "00:00", closes: "24:00")?.secondsPerDay == 86_400)
        #expect(OfficeHours(opens: "17:00", closes: "09:00") == nil)
        #expect(OfficeHours(opens: "9:00", closes: "17:00") == nil)
        #expect(OfficeHours(opens: "09:60", closes: "17:00") == nil)
        #expect(OfficeHours(opensAt: 0, closesAt: 86_401) == nil)
        let json = try JSONEncoder().encode(OfficeHours(opens: "08:30", closes: "17:30")!)
        #expect(try JSONDecoder().decode(OfficeHours.self, from: json) == OfficeHours(opens: "08:30", closes: "17:30"))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(OfficeHours.self, from: Data(#"{"opens":"18:00","closes":"17:00"}"#.utf8))
        }
    }
}
