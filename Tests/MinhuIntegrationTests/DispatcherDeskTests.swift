import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
import Testing

/// The manual desk over HTTP: decisions emit a manual appeal.classified; refusals are specific; decisions export
/// as training data.
@Suite("Dispatcher: manual desk", .enabled(if: TestDatabase.isConfigured))
struct DispatcherDeskTests {
    func json(_ object: [String: Any]) -> Data {
        try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    @Test("a desk decision emits a manual appeal.classified with the department; again is 409; bad input is 400")
    func decide() async throws {
        try await TestBroker.withVhost { url in
            try await DispatcherHarness.run(amqpURL: url) { dispatcher in
                let chat = DispatcherHarness.received(title: "闲聊, \"电影\"", body: "今天天气很好我想聊聊电影\n顺便问问")
                let other = DispatcherHarness.received(title: "Hello", body: "Just some English text.")
                try await dispatcher.publish([chat, other])
                try await expectEventually(timeout: .seconds(120)) {
                    try await dispatcher.count("SELECT count(*) FROM desk_items") == 2
                }
                let key = try await dispatcher.key(.dispatcher)
                let path = "/v1/desk/\(chat.caseNumber)/decision"
                let good = json(["category": ["level1": "城乡建设", "level2": "城市建设和市政管理", "level3": NSNull()],
                                 "department": "housing", "urgency": "urgent"])

                #expect(try await dispatcher.request("POST", path, body: good).status == 401)
                #expect(try await dispatcher.request("POST", path, key: try await dispatcher.key(.supervisor), body: good)
                    .status == 403)

                let badDepartment = try await dispatcher.request("POST", path, key: key, body: json([
                    "category": ["level1": "城乡建设"], "department": "no-such-department"]))
                #expect(badDepartment.status == 400 && badDepartment.contentType.hasPrefix("application/problem+json"))
                #expect(try field(badDepartment.body) == "department")
                let badCategory = try await dispatcher.request("POST", path, key: key, body: json([
                    "category": ["level1": "不存在的分类"], "department": "housing"]))
                #expect(badCategory.status == 400)
                #expect(try field(badCategory.body) == "category.level1")
                let badLevel2 = try await dispatcher.request("POST", path, key: key, body: json([
                    "category": ["level1": "城乡建设", "level2": "没有这个"], "department": "housing"]))
                #expect(badLevel2.status == 400)
                #expect(try field(badLevel2.body) == "category.level2")
                let badKind = try await dispatcher.request("POST", path, key: key, body: json([
                    "category": ["level1": "城乡建设"], "department": "housing", "kind": "gossip"]))
                #expect(badKind.status == 400)
                #expect(try field(badKind.body) == "kind")
                // PostgreSQL text holds no NUL: a 400 naming the field, not a failed query and a 500.
                let nulLevel1 = try await dispatcher.request("POST", path, key: key, body: json([
                    "category": ["level1": "城乡建设\u{0}"], "department": "housing"]))
                #expect(nulLevel1.status == 400)
                #expect(try field(nulLevel1.body) == "category.level1")
                let nulDepartment = try await dispatcher.request("POST", path, key: key, body: json([
                    "category": ["level1": "城乡建设"], "department": "hous\u{0}ing"]))
                #expect(nulDepartment.status == 400)
                #expect(try field(nulDepartment.body) == "department")
                let noCategory = try await dispatcher.request("POST", path, key: key, body: json(["department": "housing"]))
                #expect(noCategory.status == 400)
                #expect(try field(noCategory.body) == "category")
                #expect(try await dispatcher.request("POST", path, key: key, body: Data("not json".utf8)).status == 400)
                // A body over the 64 KiB limit: a 413 problem, not a bare status (found by a review).
                let tooLarge = try await dispatcher.request("POST", path, key: key,
                                                            body: Data(repeating: 0x20, count: 70_000))
                #expect(tooLarge.status == 413 && tooLarge.contentType.hasPrefix("application/problem+json"))
                #expect(String(decoding: tooLarge.body, as: UTF8.self).contains("65536 bytes"))
                #expect(try await dispatcher.request("POST", "/v1/desk/20261122-999999/decision", key: key, body: good)
                    .status == 404)
                #expect(try await dispatcher.emitted(AppealClassified.self).isEmpty, "refusals change nothing")

                // The open list in pages, oldest first; a bad page is a 400 naming the parameter.
                func page(_ query: String) async throws -> [String] {
                    let answer = try await dispatcher.request("GET", "/v1/desk?\(query)", key: key)
                    #expect(answer.status == 200,
                            "\(query): \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
                    let items = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [[String: Any]])
                    return items.compactMap { $0["case_number"] as? String }
                }
                let both = try await page("limit=2")
                #expect(Set(both) == [chat.caseNumber, other.caseNumber])
                #expect(try await page("limit=1") == [both[0]])
                #expect(try await page("limit=1&offset=1") == [both[1]])
                #expect(try await page("offset=2").isEmpty)
                for (query, name) in [("limit=0", "limit"), ("limit=5001", "limit"), ("limit=x", "limit"),
                                      ("offset=-1", "offset")] {
                    let bad = try await dispatcher.request("GET", "/v1/desk?\(query)", key: key)
                    #expect(bad.status == 400, "\(query)")
                    #expect(try field(bad.body) == name)
                }

                let decided = try await dispatcher.request("POST", path, key: key, body: good)
                #expect(decided.status == 200, "\(String(decoding: decided.body, as: UTF8.self))")
                let emitted = try await dispatcher.emitted(AppealClassified.self)
                #expect(emitted.count == 1)
                let manual = try #require(emitted.first)
                #expect(manual.appealId == chat.appealId && manual.caseNumber == chat.caseNumber)
                #expect(manual.manual && manual.confidence == 1)
                #expect(manual.category == CategoryPath(level1: "城乡建设", level2: "城市建设和市政管理"))
                #expect(manual.departmentCode == "housing")
                #expect(manual.classifiedBy?.hasPrefix("dispatcher ") == true)
                #expect(manual.urgency == .urgent)
                #expect(manual.clusterId != nil)

                // The same decision again (a retry after a lost answer) gets the same answer and changes nothing;
                // another decision is a 409.
                let retried = try await dispatcher.request("POST", path, key: key, body: good)
                #expect(retried.status == 200)
                #expect(try MinhuJSON.decode(AppealClassified.self, from: retried.body) == manual,
                        "\(String(decoding: retried.body, as: UTF8.self)) \(manual)")
                let again = try await dispatcher.request("POST", path, key: key, body: json([
                    "category": ["level1": "城乡建设"], "department": "housing"]))
                #expect(again.status == 409)
                let otherKey = try await dispatcher.key(.dispatcher)
                let otherDispatcher = try await dispatcher.request("POST", path, key: otherKey, body: good)
                #expect(otherDispatcher.status == 409)
                #expect(try await dispatcher.emitted(AppealClassified.self).count == 1)

                let open = try await dispatcher.request("GET", "/v1/desk", key: key)
                let items = try #require(try JSONSerialization.jsonObject(with: open.body) as? [[String: Any]])
                #expect(items.compactMap { $0["case_number"] as? String } == [other.caseNumber])

                let csv = try await dispatcher.request("GET", "/v1/desk/decisions.csv", key: key)
                #expect(csv.status == 200 && csv.contentType.hasPrefix("text/csv"))
                let text = String(decoding: csv.body, as: UTF8.self)
                #expect(text.hasPrefix("id,title,detail,label\r\n"))
                #expect(text.contains("\(chat.caseNumber),\"闲聊, \"\"电影\"\"\",\"今天天气很好我想聊聊电影\n顺便问问\",城乡建设\r\n"),
                        "\(text)")
                #expect(!text.contains(other.caseNumber))
                // Decisions since a date-time: none since tomorrow; a date without its offset is a 400.
                let tomorrow = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
                let none = try await dispatcher.request("GET", "/v1/desk/decisions.csv?since=\(tomorrow)", key: key)
                #expect(String(decoding: none.body, as: UTF8.self) == "id,title,detail,label\r\n")
                let sinceYesterday = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-86_400))
                    .replacingOccurrences(of: "Z", with: "+00:00")
                let recent = try await dispatcher.request("GET", "/v1/desk/decisions.csv?since=\(sinceYesterday)",
                                                          key: key)
                #expect(String(decoding: recent.body, as: UTF8.self) == text)
                // A compact offset, its + decoded as a space on the way, as a hand-typed query often has it.
                let compact = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-86_400))
                    .replacingOccurrences(of: "Z", with: "+0000")
                let compactSince = try await dispatcher.request("GET", "/v1/desk/decisions.csv?since=\(compact)",
                                                                key: key)
                #expect(String(decoding: compactSince.body, as: UTF8.self) == text)
                let badSince = try await dispatcher.request("GET", "/v1/desk/decisions.csv?since=2026-11-01", key: key)
                #expect(badSince.status == 400)
                #expect(try field(badSince.body) == "since")
                #expect(try await dispatcher.request("GET", "/v1/desk/decisions.csv",
                                                     key: try await dispatcher.key(.observer)).status == 403)

                // No tier given: the rules' tier for what was decided (every emergency is 即办), not the one
                // suggested with the classifier's category and the rules' urgency.
                #expect(try await dispatcher.count("""
                    SELECT count(*) FROM desk_items WHERE case_number = '\(other.caseNumber)' AND tier <> 'immediate'
                    """) == 1)
                let emergency = try await dispatcher.request("POST", "/v1/desk/\(other.caseNumber)/decision", key: key,
                                                             body: json(["category": ["level1": "城乡建设"],
                                                                         "department": "housing",
                                                                         "urgency": "emergency"]))
                #expect(emergency.status == 200)
                let decidedOther = try await dispatcher.emitted(AppealClassified.self)
                    .first { $0.caseNumber == other.caseNumber }
                #expect(decidedOther?.urgency == .emergency && decidedOther?.tier == .immediate)

                // The export is read in pages that follow one another: one decision a page, then the end.
                let desk = ManualDesk(database: dispatcher.database, analyzer: try DispatcherHarness.analyzer.get())
                let first = try await desk.decisionsPage(since: nil, after: nil, limit: 1, logger: dispatcher.logger)
                let second = try await desk.decisionsPage(since: nil, after: first.next, limit: 1,
                                                          logger: dispatcher.logger)
                let last = try await desk.decisionsPage(since: nil, after: second.next, limit: 1,
                                                        logger: dispatcher.logger)
                #expect(first.csv.hasPrefix(chat.caseNumber + ",") && second.csv.hasPrefix(other.caseNumber + ","))
                #expect(first.next?.caseNumber == chat.caseNumber && second.next?.caseNumber == other.caseNumber)
                #expect(last.csv.isEmpty && last.next == nil)
                let whole = try await dispatcher.request("GET", "/v1/desk/decisions.csv", key: key)
                #expect(String(decoding: whole.body, as: UTF8.self)
                        == ManualDesk.decisionsHeader + first.csv + second.csv)
            }
        }
    }

    @Test("the desk suggests the full category path when the subcategory rules resolve it")
    func suggestedLevels() async throws {
        try await TestBroker.withVhost { url in
            // Every appeal goes to the desk: no confidence reaches a minimum of 1.
            try await DispatcherHarness.run(amqpURL: url, environment: ["MINHU_DISPATCH_MIN_CONFIDENCE": "1"]) {
                dispatcher in
                let noise = DispatcherHarness.received(
                    title: "丽发新城附近搅拌站夜间噪音扰民",
                    body: "A2区丽发新城小区旁边的混凝土搅拌站每天晚上生产到凌晨，噪音很大，严重影响居民休息，请尽快处理。")
                let chat = DispatcherHarness.received(title: "聊天", body: "今天天气很好我想聊聊电影")
                try await dispatcher.publish([noise, chat])
                try await expectEventually(timeout: .seconds(120)) {
                    try await dispatcher.count("SELECT count(*) FROM desk_items") == 2
                }
                let open = try await dispatcher.request("GET", "/v1/desk", key: try await dispatcher.key(.dispatcher))
                let items = try #require(try JSONSerialization.jsonObject(with: open.body) as? [[String: Any]])
                let byCase = Dictionary(uniqueKeysWithValues: items.compactMap { item in
                    (item["case_number"] as? String).map { ($0, item) }
                })
                let suggested = try #require(byCase[noise.caseNumber])
                #expect(suggested["suggested_category"] as? String == "环境保护")
                #expect(suggested["suggested_level2"] as? String == "环境污染")
                #expect(suggested["suggested_level3"] as? String == "噪音污染")
                let vague = try #require(byCase[chat.caseNumber])
                #expect(vague["suggested_level3"] == nil || vague["suggested_level3"] is NSNull)
                #expect(try await dispatcher.emitted(AppealClassified.self).isEmpty)
            }
        }
    }

    @Test("a decision without a tier reads the body as the analysis did: confirming the category keeps its tier")
    func decidedTierReadsTheAnalysedText() async throws {
        try await TestBroker.withVhost { url in
            try await DispatcherHarness.run(amqpURL: url) { dispatcher in
                // Off-topic (so it goes to the desk), with a research word only past the 4,000 characters read.
                let long = DispatcherHarness.received(title: "随便聊聊",
                                                      body: String(repeating: "哈", count: 4_100) + "规划")
                try await dispatcher.publish([long])
                try await expectEventually(timeout: .seconds(120)) {
                    try await dispatcher.count("SELECT count(*) FROM desk_items") == 1
                }
                #expect(try await dispatcher.count("""
                    SELECT count(*) FROM desk_items WHERE case_number = '\(long.caseNumber)' AND tier = 'deadline'
                    """) == 1)
                let key = try await dispatcher.key(.dispatcher)
                let decided = try await dispatcher.request("POST", "/v1/desk/\(long.caseNumber)/decision", key: key,
                                                           body: json(["category": ["level1": "城乡建设"],
                                                                       "department": "housing"]))
                #expect(decided.status == 200, "\(String(decoding: decided.body, as: UTF8.self))")
                let classified = try await dispatcher.emitted(AppealClassified.self)
                    .first { $0.caseNumber == long.caseNumber }
                #expect(classified?.tier == .deadline)
            }
        }
    }

    func field(_ body: Data) throws -> String? {
        (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["field"] as? String
    }
}
