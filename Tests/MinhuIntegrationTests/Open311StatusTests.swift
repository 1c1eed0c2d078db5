import Foundation
import MinhuModels
import MinhuService
import MinhuText
import Testing

@Suite("Open311 status mapping")
struct Open311StatusTests {
    func map(_ status: AppealStatus, closed: Bool = false, reason: String? = nil) -> (String, String) {
        let mapped = Open311Status.map(status, closed: closed, closureReason: reason)
        return (mapped.status.rawValue, mapped.minhuStatus)
    }

    @Test("every open status maps to open with its extended status")
    func openStatuses() {
        #expect(map(.received) == ("open", "open"))
        #expect(map(.classified) == ("open", "open"))
        #expect(map(.dispatched) == ("open", "acknowledged"))
        #expect(map(.signed) == ("open", "in_progress"))
        #expect(map(.inProgress) == ("open", "in_progress"))
        #expect(map(.extensionRequested) == ("open", "in_progress"))
        #expect(map(.awaitingCitizen) == ("open", "awaiting_information"))
        #expect(map(.returned) == ("open", "reassigned"))
        #expect(map(.replied) == ("open", "action_scheduled"))
        #expect(map(.evaluated) == ("open", "action_scheduled"))
        #expect(map(.dissatisfied) == ("open", "under_review"))
        #expect(map(.reopened) == ("open", "reopened"))
    }

    @Test("closed appeals: closure reasons, rejection, duplicates")
    func closedStatuses() {
        #expect(map(.closed, closed: true, reason: "evaluated") == ("closed", "closed"))
        #expect(map(.closed, closed: true, reason: "no_response") == ("closed", "closed"))
        #expect(map(.closed, closed: true, reason: "reviewed") == ("closed", "closed"))
        #expect(map(.closed, closed: true, reason: "withdrawn") == ("closed", "withdrawn"))
        #expect(map(.closed, closed: true, reason: "duplicate") == ("closed", "duplicate"))
        #expect(map(.rejected, closed: true, reason: "rejected") == ("closed", "not_councils_responsibility"))
        #expect(map(.rejected) == ("closed", "not_councils_responsibility"))
        #expect(map(.closed) == ("closed", "closed"))
        // The closed flag wins over a status that lags behind it.
        #expect(map(.replied, closed: true, reason: "evaluated") == ("closed", "closed"))
    }

    @Test("every status maps into the documented set; unknown names read as received")
    func totality() {
        for status in AppealStatus.allCases {
            for closed in [false, true] {
                let mapped = Open311Status.map(status, closed: closed, closureReason: nil)
                #expect(Open311Status.extendedStatuses.contains(mapped.minhuStatus))
                #expect(closed ? mapped.status == .closed : true)
            }
        }
        #expect(Open311Status.map(statusName: "teleported", closed: false, closureReason: nil).minhuStatus == "open")
    }
}

@Suite("Open311 formats")
struct Open311FormatTests {
    @Test("form decoding: + is a space, %XX bytes are UTF-8, first value wins, bad sequences refused")
    func form() throws {
        let form = try Open311Form(parsing: "description=%E8%B7%AF%E7%81%AF+%E5%9D%8F%E4%BA%86%2B1&a=1&a=2&empty=&flag")
        #expect(form["description"] == "路灯 坏了+1")
        #expect(form["a"] == "1")
        #expect(form["empty"] == "" && form.value("empty") == nil && form["flag"] == "")
        #expect(throws: Open311Error.self) { try Open311Form(parsing: "x=%E8%B7") }
        #expect(throws: Open311Error.self) { try Open311Form(parsing: "x=%zz") }
        #expect(Open311Format.split("services.json")?.format == .json)
        #expect(Open311Format.split("20261122-000001.XML")?.name == "20261122-000001")
        #expect(Open311Format.split("services.csv") == nil && Open311Format.split("services") == nil)
    }

    @Test("dates: written with the zone's offset, read in the common ISO 8601 shapes")
    func dates() throws {
        let dates = Open311Dates(timeZone: TimeZone(identifier: "Asia/Shanghai")!)
        let instant = Date(timeIntervalSince1970: 1_794_999_200)
        #expect(dates.format(instant) == "2026-11-18T18:53:20+08:00")
        #expect(dates.parse("2026-11-18T18:53:20+08:00") == instant)
        #expect(dates.parse("2026-11-18T10:53:20Z") == instant)
        #expect(dates.parse("2026-11-18T10:53:20.000Z") == instant)
        #expect(dates.parse("2026-11-18T18:53:20") == instant)
        #expect(dates.parse("2026-11-18T18:53:20 08:00") == instant)
        #expect(dates.parse("2026-11-18T18:53:20 0800") == instant)
        #expect(dates.parse("2026-11-18T18:53:20.000 08:00") == instant)
        #expect(dates.parse("2026-11-18T05:53:20-0500") == instant)
        #expect(dates.parse("2026-11-18") == Date(timeIntervalSince1970: 1_794_999_200 - 68_000))
        for bad in ["", "yesterday", "2026-13-01", "2026-02-30", "2026-11-18T25:00:00Z", "2026-11-18T10:53:20+8"] {
            #expect(dates.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("JSON and XML rendering escape text and keep Chinese as UTF-8")
    func rendering() {
        let node = Open311Node.list(element: "request", [.object([
            .init("description", .string("水管<爆裂> & \"漏水\"\n\u{1}")),
            .init("lat", .number(30.5)), .init("zipcode", .null), .init("n", .integer(3)), .init("b", .bool(true)),
        ])])
        #expect(node.json == #"[{"description":"水管<爆裂> & \"漏水\"\n\u0001","lat":30.5,"zipcode":null,"n":3,"b":true}]"#)
        #expect(node.xml(root: "service_requests") == #"<?xml version="1.0" encoding="utf-8"?>"#
            + "<service_requests><request><description>水管&lt;爆裂&gt; &amp; &quot;漏水&quot;\n</description>"
            + "<lat>30.5</lat><zipcode/><n>3</n><b>true</b></request></service_requests>")
        #expect(Open311Error.notFound("x").node.json == #"[{"code":404,"description":"x"}]"#)
    }

    @Test("public text masks long digit runs such as phone numbers")
    func masking() {
        #expect(Open311ServiceRequest.maskDigits("请回电13800138000，门牌12号") == "请回电138****8000，门牌12号")
        #expect(Open311ServiceRequest.maskDigits("座机 07105551234") == "座机 071****1234")
        // Numbers written in groups are numbers too; dates and times are not.
        #expect(Open311ServiceRequest.maskDigits("请回电138 0013 8000。") == "请回电138****8000。")
        #expect(Open311ServiceRequest.maskDigits("电话：138-0013-8000，谢谢") == "电话：138****8000，谢谢")
        #expect(Open311ServiceRequest.maskDigits("座机(0710)345-6789") == "座机(071****6789")
        #expect(Open311ServiceRequest.maskDigits("+86 138 0013 8000") == "+138****8000")
        #expect(Open311ServiceRequest.maskDigits("预计2024-03-15 17:00办结") == "预计2024-03-15 17:00办结")
        #expect(Open311ServiceRequest.maskDigits("2019.8.7 13时处理，共 3 次") == "2019.8.7 13时处理，共 3 次")
        // Other ways people write a number (found by a review): slashes, full-width commas, spaced dashes, pairs.
        for written in ["138/0013/8000", "138，0013，8000", "138 - 0013 - 8000", "138 00 13 8000", "138、0013、8000"] {
            #expect(Open311ServiceRequest.maskDigits("电话" + written + "。") == "电话138****8000。", "\(written)")
        }
        #expect(Open311ServiceRequest.maskDigits("+86 10 8765 4321") == "+861****4321")
        // Not numbers: dates either way round, amounts, lists.
        #expect(Open311ServiceRequest.maskDigits("15/03/2024起") == "15/03/2024起")
        #expect(Open311ServiceRequest.maskDigits("补贴1,234,567元") == "补贴1,234,567元")
        #expect(Open311ServiceRequest.maskDigits("第1、2、3、4、5、6、7条") == "第1、2、3、4、5、6、7条")
        // Lists of rooms, sums, areas, years and dates, and decimals, as written (found by a review).
        for text in ["101、201、301室漏水", "罚款200、300、500元", "88、96、120平方米", "2023、2024年连续两年",
                     "2022/2023学年", "2024-03-15、2024-03-16", "2024-01-01/2024-12-31", "2024.3.15-2024.4.15",
                     "15/03/2024 17:30", "¥12,000.50", "12,345.67元", "2024-03-15 17:30，2024-03-16 09:00",
                     "3栋2单元1201室"] {
            #expect(Open311ServiceRequest.maskDigits(text) == text, "\(text)")
        }
        #expect(Open311ServiceRequest.maskDigits("联系13800138000、13900139000") == "联系138****8000、139****9000")
        // A number beside a house number, a date or an extension, and groups joined by a no-break space (found by a
        // review: each of these was shown in full).
        #expect(Open311ServiceRequest.maskDigits("联系电话13800138000 2号楼") == "联系电话138****8000 2号楼")
        #expect(Open311ServiceRequest.maskDigits("2024-03-15 13800138000来电") == "2024-03-15 138****8000来电")
        #expect(Open311ServiceRequest.maskDigits("分机0710-3456789-8") == "分机071****6789-8")
        #expect(Open311ServiceRequest.maskDigits("请回电138 0013 8000 2次") == "请回电138****8000 2次")
        #expect(Open311ServiceRequest.maskDigits("电话138\u{A0}0013\u{A0}8000") == "电话138****8000")
        #expect(Open311ServiceRequest.maskDigits("电话138\u{2009}0013\u{2009}8000") == "电话138****8000")
    }

    @Test("long runs of short digit groups are masked part by part, the phone at their end too")
    func maskingLongRuns() {
        // (Before parts were bounded to 8 groups, the search was cubic in the groups: 10,000 of them would not
        // finish within the test run's time limit.)
        for text in [String(repeating: "1 ", count: 1_000), String(repeating: "1-", count: 10_000)] {
            #expect(Open311ServiceRequest.maskDigits(text) == text)
        }
        let masked = Open311ServiceRequest.maskDigits(String(repeating: "12 ", count: 5_000) + "13800138000")
        #expect(!masked.contains("13800138000") && masked.hasSuffix("138****8000"))
    }

    @Test("no run of seven digits survives the public masking, whatever surrounds it")
    func maskingLeavesNoLongDigitRun() {
        var generator = SplitMix64(seed: 20261124)
        let pieces = ["13800138000", "0710", "3456789", "2024", "03", "15", "2", "12", "8000", "0013", "138", "7",
                      " ", "-", ".", "/", "、", "，", ",", "(", ")", "+", "_", "\u{A0}", "\u{3000}", "号楼", "室", "电话",
                      "１３８００１３８０００", "：", "年"]
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 1...12, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)!
            }.joined()
            let masked = Open311ServiceRequest.maskDigits(text)
            var consecutive = 0
            for scalar in masked.unicodeScalars {
                let digit = (0x30...0x39).contains(scalar.value) || (0xFF10...0xFF19).contains(scalar.value)
                consecutive = digit ? consecutive + 1 : 0
                #expect(consecutive < 7, "\(text) → \(masked)")
                if consecutive >= 7 { return }
            }
        }
        // A long letter is cut in the public feed (pages of 1,000 stay small), still masked.
        let letter = "请回电13800138000。" + String(repeating: "路灯不亮。", count: 1_000)
        let shown = Open311ServiceRequest.publicDescription(letter)
        #expect(shown.count == Open311ServiceRequest.publicDescriptionLimit + 2 && shown.hasSuffix("……"))
        #expect(shown.hasPrefix("请回电138****8000。"))
        #expect(Open311ServiceRequest.publicDescription("路灯不亮") == "路灯不亮")
    }
}
