import Foundation

/// Reads labelled or unlabelled appeal texts from CSV files.
public enum TextDataset {
    /// The rows of a CSV file as (id = first column, text = the text columns joined by a space, label).
    /// Columns are found by name or by a Chinese header of the same meaning (`AppealColumns`). Without
    /// `textColumns`: title and detail, else `text`. A file without one of `textColumns` but with `text` (a
    /// segmented file) uses `text`.
    public static func load(_ url: URL, textColumns: [String]?, labelColumn: String?) throws -> [LabeledText] {
        let table = try CSVTable(contentsOf: url)
        let idx: [Int]
        if let textColumns {
            let found = textColumns.map { AppealColumns.index(of: $0, in: table) }
            if found.contains(nil), let text = AppealColumns.index(of: "text", in: table) {
                idx = [text]
            } else {
                idx = try zip(textColumns, found).map { name, i in
                    guard let i else { throw CSVError.missingColumn(name, file: url.path) }
                    return i
                }
            }
        } else {
            guard let columns = AppealColumns.defaultTextColumns(of: table) else {
                throw CSVError.missingTextColumns(file: url.path, header: table.header,
                                                  needed: "a text column (title and detail, or text; or 留言主题 and 留言详情); pass --text-columns")
            }
            idx = columns
        }
        var labelIndex: Int?
        if let labelColumn {
            guard let i = AppealColumns.index(of: labelColumn, in: table) else { throw CSVError.missingColumn(labelColumn, file: url.path) }
            labelIndex = i
        }
        return table.rows.map { row in
            LabeledText(id: row.first ?? "",
                        text: idx.map { row[$0] }.joined(separator: " "),
                        label: labelIndex.map { row[$0].trimmingCharacters(in: .whitespaces) } ?? "")
        }
    }

    /// Reads an id list: one id per line; blank lines and lines starting with `#` are ignored. Read like a CSV
    /// file (UTF-8 with or without a byte-order mark, UTF-16 with one, GB18030), so a list saved by Excel or
    /// Notepad loses no id.
    public static func loadIDs(_ url: URL) throws -> [String] {
        try TextFileDecoder.decode(try DataFile.read(url), path: url.path).text
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}
