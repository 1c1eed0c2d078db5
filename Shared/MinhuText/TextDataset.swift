import Foundation

/// Reads labelled or unlabelled appeal texts from CSV files.
public enum TextDataset {
    /// The text columns to use when none are given: `title,detail` when both exist, else `text`.
    public static func defaultTextColumns(of table: CSVTable) -> [String] {
        if table.index(of: "title") != nil && table.index(of: "detail") != nil { return ["title", "detail"] }
        if table.index(of: "text") != nil { return ["text"] }
        return table.header.count > 1 ? [table.header[1]] : []
    }

    /// The rows of a CSV file as (id = first column, text = the text columns joined by a space, label).
    /// For a file without one of `textColumns` but with `text` (a segmented file), `text` is used.
    public static func load(_ url: URL, textColumns: [String]?, labelColumn: String?) throws -> [LabeledText] {
        let table = try CSVTable(contentsOf: url)
        var columns = textColumns ?? defaultTextColumns(of: table)
        if columns.contains(where: { table.index(of: $0) == nil }), table.index(of: "text") != nil { columns = ["text"] }
        let idx = try columns.map { name -> Int in
            guard let i = table.index(of: name) else { throw CSVError.missingColumn(name, file: url.path) }
            return i
        }
        var labelIndex: Int?
        if let labelColumn {
            guard let i = table.index(of: labelColumn) else { throw CSVError.missingColumn(labelColumn, file: url.path) }
            labelIndex = i
        }
        return table.rows.map { row in
            LabeledText(id: row.first ?? "",
                        text: idx.map { row[$0] }.joined(separator: " "),
                        label: labelIndex.map { row[$0].trimmingCharacters(in: .whitespaces) } ?? "")
        }
    }

    /// Reads an id list: one id per line; blank lines and lines starting with `#` are ignored.
    public static func loadIDs(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}
