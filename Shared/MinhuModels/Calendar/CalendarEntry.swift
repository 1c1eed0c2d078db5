import Foundation

/// One day that differs from the plain rule "Monday to Friday is a working day".
public struct CalendarEntry: Hashable, Sendable, Codable {
    /// How the day differs.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// A day off: a public holiday (a weekday off because of it, or a weekend day inside the holiday period),
        /// or a jurisdiction's own day off.
        case holiday
        /// A weekend day that is a working day (调休上班).
        case workday
    }

    public var date: LocalDate
    public var kind: Kind
    /// E.g. `春节`, `调休上班（春节）`; may be empty.
    public var name: String

    public init(date: LocalDate, kind: Kind, name: String) {
        self.date = date
        self.kind = kind
        self.name = name
    }
}

/// A calendar file or set of entries that cannot be used, with where and why.
public struct CalendarError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// The file (or other source) the error is in, when known.
    public var source: String?
    /// 1-based line number, when the error is on one line.
    public var line: Int?
    /// What is wrong.
    public var reason: String

    public init(source: String? = nil, line: Int? = nil, reason: String) {
        self.source = source
        self.line = line
        self.reason = reason
    }

    /// `2024.csv:5: unknown kind 'holliday' (expected holiday or workday)`.
    public var description: String {
        var prefix = ""
        if let source { prefix += source }
        if let line { prefix += prefix.isEmpty ? "line \(line)" : ":\(line)" }
        return prefix.isEmpty ? reason : "\(prefix): \(reason)"
    }

    public var errorDescription: String? { description }
}

/// Reads calendar files: UTF-8 CSV with the header `date,kind,name`, one day a line.
///
/// Rules: a UTF-8 byte-order mark, CRLF line ends, blank lines and lines starting with `#` are accepted; the name is
/// everything after the second comma (so it may itself contain commas), trimmed, and unquoted when a spreadsheet
/// wrote it in double quotes (`""` for a quote); control characters are refused. A
/// `workday` must be a Saturday or Sunday (a weekday is a working day already, so such a line is a mistake); a date
/// may appear only once.
public enum CalendarCSV {
    /// The header every file starts with.
    public static let header = "date,kind,name"

    /// Parses `text`; `source` (e.g. the file name) is only used in errors.
    /// - Parameter year: when given, every date must fall in that year (files are named `YYYY.csv`).
    public static func parse(_ text: String, source: String? = nil, year: Int? = nil) throws -> [CalendarEntry] {
        var entries: [CalendarEntry] = []
        var seen: [LocalDate: Int] = [:]
        var sawHeader = false
        var lineNumber = 0
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        // "\r\n" is one Character in Swift, so split on both forms.
        for rawLine in body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = rawLine
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            func fail(_ reason: String) -> CalendarError {
                CalendarError(source: source, line: lineNumber, reason: reason)
            }
            if !sawHeader {
                let columns = trimmed.split(separator: ",", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard columns == ["date", "kind", "name"] else {
                    throw fail("expected the header '\(header)', found '\(trimmed)'")
                }
                sawHeader = true
                continue
            }
            let fields = trimmed.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count >= 2 else {
                throw fail("expected 3 fields 'date,kind,name', found \(fields.count): '\(trimmed)'")
            }
            let dateText = fields[0].trimmingCharacters(in: .whitespaces)
            guard let date = LocalDate(iso: dateText) else {
                throw fail("invalid date '\(dateText)' (expected a real date as YYYY-MM-DD)")
            }
            if let year, date.year != year {
                throw fail("date \(date) is not in \(year), the year this file is for")
            }
            let kindText = fields[1].trimmingCharacters(in: .whitespaces)
            guard let kind = CalendarEntry.Kind(rawValue: kindText.lowercased()) else {
                throw fail("unknown kind '\(kindText)' (expected holiday or workday)")
            }
            if kind == .workday, !date.isWeekend {
                throw fail("\(date) is a \(weekdayName(date.weekday)): only a Saturday or Sunday can be listed as "
                    + "a workday (调休上班); a weekday is a working day already")
            }
            if let earlier = seen[date] {
                throw fail("\(date) is listed twice (first on line \(earlier))")
            }
            seen[date] = lineNumber
            var name = fields.count == 3 ? fields[2].trimmingCharacters(in: .whitespaces) : ""
            // A spreadsheet quotes a name that holds a comma: "元旦,新年" is the name 元旦,新年.
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
            }
            if name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
                throw fail("the name holds a control character (NUL, a tab …)")
            }
            entries.append(CalendarEntry(date: date, kind: kind, name: name))
        }
        guard sawHeader else {
            throw CalendarError(source: source, reason: "empty file: expected the header '\(header)'")
        }
        return entries
    }

    /// Renders entries as a calendar file (header included), sorted by date.
    public static func render(_ entries: [CalendarEntry]) -> String {
        var out = header + "\n"
        for entry in entries.sorted(by: { $0.date < $1.date }) {
            out += "\(entry.date),\(entry.kind.rawValue),\(entry.name)\n"
        }
        return out
    }

    static func weekdayName(_ weekday: Int) -> String {
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][weekday - 1]
    }
}
