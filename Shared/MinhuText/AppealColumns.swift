import Foundation

/// The columns of an appeal CSV file, found by their English names or by the Chinese headers that government
/// message-board and hotline exports use (留言主题, 留言详情, 留言时间, 一级标签, …), so that `minhu classifier` and
/// `minhu hotspots` read such an export as it is.
///
/// ```swift
/// let table = try CSVTable(contentsOf: url)
/// let title = AppealColumns.index(of: "title", in: table)     // "title" or "留言主题", "主题", "标题" …
/// let appeals = try AppealColumns.records(in: table, file: url.path)
/// ```
public enum AppealColumns {
    /// Names that mean the same column, the English name first. A name is looked up as itself first, then as
    /// the other names of its group, in this order.
    public static let aliases: [[String]] = [
        ["title", "留言主题", "主题", "标题", "诉求标题", "subject"],
        ["detail", "留言详情", "详情", "内容", "诉求内容", "留言内容", "描述", "description", "content"],
        ["text", "文本", "正文"],
        ["submitted_at", "留言时间", "提交时间", "时间", "来电时间", "受理时间", "requested_datetime", "created_at"],
        ["category", "一级标签", "一级分类", "类别", "分类", "label"],
        ["user", "留言用户", "用户", "用户编号", "用户ID", "用户名"],
        ["likes", "点赞数"],
        ["against", "反对数"],
    ]

    /// The index of the column called `name` or, when the header lacks it, of a column with another name of its
    /// group (case-insensitive).
    public static func index(of name: String, in table: CSVTable) -> Int? {
        if let i = table.index(of: name) { return i }
        guard let group = aliases.first(where: { $0.contains { $0.lowercased() == name.lowercased() } }) else { return nil }
        for other in group {
            if let i = table.index(of: other) { return i }
        }
        return nil
    }

    /// The text columns to read when none are given: title and detail when both exist, else a `text` column,
    /// else whichever of title and detail exists; nil when the file has none of them.
    public static func defaultTextColumns(of table: CSVTable) -> [Int]? {
        let title = index(of: "title", in: table), detail = index(of: "detail", in: table)
        if let title, let detail { return [title, detail] }
        if let text = index(of: "text", in: table) { return [text] }
        if let one = title ?? detail { return [one] }
        return nil
    }

    /// The appeals of a table for clustering: id (first column), title, detail, time (`submitted_at`; rows
    /// without a readable one are dated 1970-01-01 and counted in `undated`), likes, objections and the user when
    /// present. A file with a detail (or `text`) column but no title gets each detail's first sentence as its
    /// title; a file with titles only gets empty details.
    public static func records(in table: CSVTable, file: String) throws -> (records: [AppealRecord], undated: Int) {
        let ti = index(of: "title", in: table), di = index(of: "detail", in: table) ?? index(of: "text", in: table)
        guard ti != nil || di != nil else {
            throw CSVError.missingTextColumns(file: file, header: table.header,
                                              needed: "a title or a detail column (or 留言主题 or 留言详情)")
        }
        let si = index(of: "submitted_at", in: table)
        let li = index(of: "likes", in: table), ai = index(of: "against", in: table), ui = index(of: "user", in: table)
        var undated = 0
        let records = table.rows.map { row in
            let time = si.flatMap { AppealDate.parse(row[$0]) }
            if time == nil { undated += 1 }
            let detail = di.map { row[$0] } ?? ""
            return AppealRecord(id: row.first ?? "", title: ti.map { row[$0] } ?? firstSentence(of: detail), detail: detail,
                                time: time ?? Date(timeIntervalSince1970: 0),
                                likes: li.flatMap { Int(row[$0]) } ?? 0, against: ai.flatMap { Int(row[$0]) } ?? 0,
                                user: ui.map { row[$0].trimmingCharacters(in: .whitespaces) } ?? "")
        }
        return (records, undated)
    }

    /// The text up to its first sentence end (。！？!?; or a line break), at most 40 characters: a title for an
    /// appeal that has none.
    /// A letter's salutation ("尊敬的领导：您好！", "局长： 你好，") is skipped first: it is no title, and a file of
    /// letters titled by it would make one "hotspot" of every letter.
    static func firstSentence(of text: String) -> String {
        let ends: Set<Character> = ["。", "！", "？", "!", "?", "\n", "\r", "；", ";"]
        let trimmed = withoutSalutation(Substring(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        let end = trimmed.firstIndex { ends.contains($0) } ?? trimmed.endIndex
        return String(trimmed[..<end].prefix(40))
    }

    /// Words an addressee ends with (胡书记：, 尊敬的各位领导，您好).
    static let addresseeEndings = ["领导", "领导们", "书记", "市长", "区长", "县长", "局长", "主任", "同志", "部门", "政府"]
    /// Greetings that open a letter, after its addressee or alone.
    static let greetings = ["您们好", "你们好", "您好", "你好", "领导好", "大家好"]
    /// What may stand between an addressee, its greeting and the letter.
    static let salutationPause = CharacterSet(charactersIn: "，。！？!?,、：:；; 　\n\r～~.")

    /// `text` without a leading addressee and greeting: "尊敬的领导：您好！", "尊敬的领导，您好", "胡书记您好",
    /// "局长： 你好，", "胡书记：".
    static func withoutSalutation(_ text: Substring) -> Substring {
        func isAddressee(_ words: String) -> Bool {
            !words.contains(where: { "。！？!?".contains($0) })
                && (words.hasPrefix("尊敬") || addresseeEndings.contains(where: { words.hasSuffix($0) }))
        }
        func afterPause(_ rest: Substring) -> Substring {
            rest.drop { $0.unicodeScalars.allSatisfy(salutationPause.contains) }
        }
        let opening = text.prefix(24)
        for greeting in greetings {
            guard let range = opening.range(of: greeting) else { continue }
            let before = text[..<range.lowerBound].trimmingCharacters(in: salutationPause)
            if before.isEmpty || isAddressee(before) {
                let rest = afterPause(text[range.upperBound...])
                return rest.isEmpty ? text : rest
            }
        }
        if let colon = text.prefix(16).firstIndex(where: { $0 == "：" || $0 == ":" }),
           isAddressee(text[..<colon].trimmingCharacters(in: .whitespaces)) {
            let rest = afterPause(text[text.index(after: colon)...])
            return rest.isEmpty ? text : rest
        }
        return text
    }
}
