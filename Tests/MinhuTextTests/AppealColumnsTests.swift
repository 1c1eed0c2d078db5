import Foundation
import Testing
@testable import MinhuText

@Suite("Appeal CSV columns: English names and Chinese export headers")
struct AppealColumnsTests {
    /// A message-board export as such boards publish it: Chinese headers, the user name in the second column.
    static let exportCSV = """
        留言编号,留言用户,留言主题,留言时间,留言详情,反对数,点赞数,一级标签
        101,A00012,A3区某小区电梯长期故障,2019/4/25 9:32:09,电梯经常停运，老人上下楼困难。,1,12,城乡建设
        102,A00013,咨询新生儿医保办理,2019-05-02 10:01:00,孩子出生后如何参保？,0,0,劳动和社会保障

        """

    static func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("minhu-columns-\(UUID().uuidString).csv")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test("an export with Chinese headers loads with the default columns: title + detail, and its first-level label")
    func chineseHeaders() throws {
        let url = try Self.write(Self.exportCSV)
        defer { try? FileManager.default.removeItem(at: url) }
        let rows = try TextDataset.load(url, textColumns: nil, labelColumn: "category")
        #expect(rows.map(\.id) == ["101", "102"])
        #expect(rows[0].text == "A3区某小区电梯长期故障 电梯经常停运，老人上下楼困难。")
        #expect(rows.map(\.label) == ["城乡建设", "劳动和社会保障"])
        // Named columns find their Chinese counterparts too.
        let named = try TextDataset.load(url, textColumns: ["title", "detail"], labelColumn: nil)
        #expect(named.map(\.text) == rows.map(\.text))
    }

    @Test("records for hotspots read 留言时间, 留言用户, 点赞数 and 反对数")
    func records() throws {
        let table = CSVTable(text: Self.exportCSV)
        let (records, undated) = try AppealColumns.records(in: table, file: "export.csv")
        #expect(undated == 0)
        #expect(records.map(\.title) == ["A3区某小区电梯长期故障", "咨询新生儿医保办理"])
        #expect(records[0].likes == 12 && records[0].against == 1)
        #expect(records.map(\.user) == ["A00012", "A00013"])
        #expect(records[1].time == AppealDate.parse("2019-05-02 10:01:00"))
    }

    @Test("a file with no text column is an error naming its columns, not a silent classification of the wrong column")
    func noTextColumn() throws {
        let url = try Self.write("编号,用户,时间\n1,A0001,2019/1/1 8:00:00\n")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect {
            _ = try TextDataset.load(url, textColumns: nil, labelColumn: nil)
        } throws: { error in
            "\(error)".contains("its columns are: 编号, 用户, 时间")
        }
        #expect(throws: CSVError.self) { _ = try AppealColumns.records(in: CSVTable(text: "id,user\n1,x\n"), file: "t.csv") }
    }

    @Test("hotspot records from a file with titles only, or details only (titled by their first sentence)")
    func oneTextColumn() throws {
        let titles = try AppealColumns.records(in: CSVTable(text: "id,留言主题\n1,路灯不亮\n"), file: "t.csv").records
        #expect(titles.map(\.title) == ["路灯不亮"] && titles.map(\.detail) == [""])
        let details = try AppealColumns.records(in: CSVTable(text: "编号,诉求内容\n1,小区门口路灯坏了一个月。晚上很黑，请尽快修。\n2,\n"),
                                                file: "t.csv").records
        #expect(details.map(\.title) == ["小区门口路灯坏了一个月", ""])
        #expect(details[0].detail.hasSuffix("请尽快修。"))
        #expect(AppealColumns.firstSentence(of: String(repeating: "很", count: 100)).count == 40)
        // A letter's salutation is no title.
        #expect(AppealColumns.firstSentence(of: "尊敬的领导：您好！我是A7县居民，小区路灯坏了。") == "我是A7县居民，小区路灯坏了")
        #expect(AppealColumns.firstSentence(of: "局长： 你好，A5区劳动东路积水严重。") == "A5区劳动东路积水严重")
        #expect(AppealColumns.firstSentence(of: "胡书记：您好，我们是诺亚山林小区的业主。") == "我们是诺亚山林小区的业主")
        #expect(AppealColumns.firstSentence(of: "尊敬的领导，您好，小区门口积水严重。") == "小区门口积水严重")
        #expect(AppealColumns.firstSentence(of: "胡书记您好！我们是伊景园业主。") == "我们是伊景园业主")
        #expect(AppealColumns.firstSentence(of: "尊敬的各位领导，你们好：A3区茶场村道路破损。") == "A3区茶场村道路破损")
        #expect(AppealColumns.firstSentence(of: "问题：小区停水三天。") == "问题：小区停水三天")
        #expect(AppealColumns.firstSentence(of: "我想问一下你好久没回复了。") == "我想问一下你好久没回复了")
        #expect(AppealColumns.firstSentence(of: "您好！") == "您好")
    }

    @Test("an exact name wins over another name of its group; unknown names match only themselves")
    func exactFirst() {
        let table = CSVTable(text: "主题,title,detail,备注\n")
        #expect(AppealColumns.index(of: "title", in: table) == 1)
        #expect(AppealColumns.index(of: "标题", in: table) == 1)
        #expect(AppealColumns.index(of: "备注", in: table) == 3)
        #expect(AppealColumns.index(of: "reply", in: table) == nil)
    }
}
