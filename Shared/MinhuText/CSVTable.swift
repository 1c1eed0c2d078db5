import Foundation

/// A CSV table read per RFC 4180: quoted fields, doubled quotes, embedded commas and newlines,
/// CRLF or LF line ends, and an optional UTF-8 byte-order mark; files may also be UTF-16 or GB18030/GBK.
///
/// ```swift
/// let table = try CSVTable(contentsOf: URL(fileURLWithPath: "appeals.csv"))
/// let titles = table.column("title")
/// ```
public struct CSVTable: Sendable {
    /// The first row, trimmed of surrounding white space.
    public var header: [String]
    /// Every row after the header; short rows are padded with empty fields.
    public var rows: [[String]]

    /// Parses CSV text whose first row is the header.
    public init(text: String) {
        self.init(rows: CSVTable.scan(text).rows)
    }

    private init(rows parsed: [[String]]) {
        var all = parsed
        header = all.isEmpty ? [] : all.removeFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        let width = header.count
        rows = all.map { row in row.count >= width ? row : row + Array(repeating: "", count: width - row.count) }
    }

    /// The encoding the file was read in (UTF-8 for a table parsed from text).
    public var encoding: TextFileDecoder.Encoding = .utf8

    /// Reads and parses a file in UTF-8 (a byte-order mark is skipped), UTF-16 with a byte-order mark, or
    /// GB18030/GBK (see `TextFileDecoder`).
    public init(contentsOf url: URL) throws {
        let data = try DataFile.read(url)
        guard data.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { throw CSVError.emptyFile(url.path) }
        let decoded = try TextFileDecoder.decode(data, path: url.path)
        // A byte-order mark alone (an empty sheet saved by Excel) is empty too.
        guard decoded.text.contains(where: { !$0.isWhitespace }) else { throw CSVError.emptyFile(url.path) }
        let scanned = CSVTable.scan(decoded.text)
        if let line = scanned.openQuoteLine { throw CSVError.unterminatedQuote(url.path, line: line) }
        self.init(rows: scanned.rows)
        encoding = decoded.encoding
    }

    /// The index of a column by name (case-sensitive, then case-insensitive).
    public func index(of name: String) -> Int? {
        header.firstIndex(of: name) ?? header.firstIndex { $0.lowercased() == name.lowercased() }
    }

    /// The values of a named column, or nil when the header lacks it.
    public func column(_ name: String) -> [String]? {
        guard let i = index(of: name) else { return nil }
        return rows.map { i < $0.count ? $0[i] : "" }
    }

    /// Splits CSV text into rows of fields. Blank lines are skipped.
    public static func parse(_ text: String) -> [[String]] { scan(text).rows }

    /// The rows of `text`, and the line on which a quoted field opened that the text never closes (a file cut
    /// short, or a stray quote that would swallow every row after it), if any.
    static func scan(_ text: String) -> (rows: [[String]], openQuoteLine: Int?) {
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var fieldWasQuoted = false
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let n = bytes.count
        var i = 0
        var line = 1
        var quoteLine = 0
        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        func endRow() {
            endField()
            if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
            row = []
        }
        while i < n {
            let b = bytes[i]
            if inQuotes {
                if b == 0x22 {
                    if i + 1 < n && bytes[i + 1] == 0x22 {
                        field.append(0x22); i += 2; continue
                    }
                    inQuotes = false
                } else {
                    if b == 0x0A { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case 0x22:
                if field.isEmpty && !fieldWasQuoted {
                    inQuotes = true; fieldWasQuoted = true; quoteLine = line
                } else {
                    field.append(b)
                }
            case 0x2C:
                endField()
            case 0x0D:
                if i + 1 < n && bytes[i + 1] == 0x0A { i += 1 }
                line += 1
                endRow()
            case 0x0A:
                line += 1
                endRow()
            default:
                field.append(b)
            }
            i += 1
        }
        if !field.isEmpty || !row.isEmpty || fieldWasQuoted { endRow() }
        return (rows, inQuotes ? quoteLine : nil)
    }

    /// Quotes a field for output when it holds a comma, quote or line break.
    ///
    /// Works on Unicode scalars, as the reader does: a comma or quote followed by a combining mark, or a CR LF pair,
    /// is one `Character` and would slip past a comparison of characters.
    public static func escape(_ field: String) -> String {
        let scalars = field.unicodeScalars
        guard scalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in scalars {
            quoted.append(scalar)
            if scalar == "\"" { quoted.append(scalar) }
        }
        quoted.append("\"")
        return String(quoted)
    }
}

/// Errors reading CSV input.
public enum CSVError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file is neither UTF-8, UTF-16 with a byte-order mark, nor GB18030.
    case unreadableEncoding(String)
    case missingColumn(String, file: String)
    /// The file holds nothing but white space (not even a header).
    case emptyFile(String)
    /// A quoted field opened on `line` is never closed.
    case unterminatedQuote(String, line: Int)
    /// The file has none of the text columns a command reads (`needed` names them).
    case missingTextColumns(file: String, header: [String], needed: String)

    public var description: String {
        switch self {
        case .unreadableEncoding(let path): return "\(path) is not text in UTF-8, UTF-16 (with a byte-order mark) or GB18030/GBK"
        case .missingColumn(let name, let file): return "\(file) has no column \"\(name)\""
        case .emptyFile(let path): return "\(path) is empty: a CSV file needs a header row"
        case .unterminatedQuote(let path, let line):
            return "\(path): the quoted field opened on line \(line) is never closed (is the file cut short, or is a quote stray?); nothing read"
        case .missingTextColumns(let file, let header, let needed):
            return "\(file) lacks \(needed); its columns are: \(header.joined(separator: ", "))"
        }
    }
}
