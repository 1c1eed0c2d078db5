import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import MinhuModels
import MinhuService
import MinhuStorage
import PostgresNIO
import ServiceLifecycle
import Testing

@Suite("DeputyRegistry parsing")
struct DeputyRegistryParseTests {
    @Test("rows are rejected with the right line numbers and reasons; Chinese levels and phone formats are read")
    func parseWithRejections() throws {
        let csv = """
            name,phones,level,constituency
            王建国,+86 138-0013-8000,national,
            李秀英,138 0013 8002;0710-3456001,省,

            张伟,013800138003,区级,城南区
            ,13800138009,city,城南区
            刘芳,13800138004,mayor,城北区
            陈明,not-a-phone,county,城南区
            杨丽,13800138000、13800138006,县,城北区
            "赵强, 镇长",13800138007/abc,乡镇,青山镇
            王建国,13800138010,national,
            """
        let parsed = try DeputyRegistry.parse(csv: csv)
        #expect(parsed.rows.map(\.name) == ["王建国", "李秀英", "张伟", "赵强, 镇长"])
        #expect(parsed.rows.map(\.line) == [2, 3, 5, 10])
        #expect(parsed.rows[0].phones == ["13800138000"] && parsed.rows[0].level == .national)
        #expect(parsed.rows[0].constituency == nil)
        #expect(parsed.rows[1].phones == ["13800138002", "07103456001"] && parsed.rows[1].level == .provincial)
        #expect(parsed.rows[2].phones == ["13800138003"] && parsed.rows[2].level == .county)
        #expect(parsed.rows[3].phones == ["13800138007"] && parsed.rows[3].level == .township)
        #expect(parsed.warnings.map(\.line) == [10])
        let rejections = Dictionary(uniqueKeysWithValues: parsed.rejections.map { ($0.line, $0.reason) })
        #expect(parsed.rejections.map(\.line) == [6, 7, 8, 9, 11])
        #expect(rejections[6] == "empty name")
        #expect(rejections[7]?.contains("unknown level 'mayor'") == true)
        #expect(rejections[8]?.contains("no valid phone") == true)
        #expect(rejections[9]?.contains("line 2") == true && rejections[9]?.contains("138****8000") == true)
        #expect(rejections[11]?.contains("line 2") == true)
        // No full phone number in any reason.
        #expect(!(parsed.rejections + parsed.warnings).contains { $0.reason.contains("13800138000") })

        #expect(throws: DeputyRegistry.FileError.self) { try DeputyRegistry.parse(csv: "name,level\n张三,city\n") }
        #expect(throws: DeputyRegistry.FileError.self) { try DeputyRegistry.parse(csv: "") }
        // A quote never closed would swallow the rows after it (their names and full phones) into one field.
        let unclosed = "name,phones,level,constituency\n张三,13800138000,city,\"一区\n李四,13900139000,city,二区\n"
        #expect {
            try DeputyRegistry.parse(csv: unclosed)
        } throws: { error in
            "\(error)".contains("opened on line 2 is never closed") && !"\(error)".contains("13900139000")
        }
        // Control characters in a name or constituency refuse the row, with its line.
        let controls = try DeputyRegistry.parse(csv: "name,phones,level,constituency\n张\u{0}三,13800138000,city,\n"
                                                + "李四,13900139000,city,\"二\n区\"\n王五,13700137000,city,三区\n")
        #expect(controls.rows.map(\.name) == ["王五"])
        #expect(controls.rejections.map(\.line) == [2, 3])
        #expect(controls.rejections.allSatisfy { $0.reason.contains("control character") })
        for (text, level) in [("全国", DeputyLevel.national), ("省", .provincial), ("市", .city), ("县", .county),
                              ("乡镇", .township), ("City", .city), ("市级", .city), ("市人大代表", .city),
                              ("区人大代表", .county), ("县人大代表", .county), ("镇人大代表", .township),
                              ("全国人民代表大会代表", .national), ("省级人大代表", .provincial)] {
            #expect(DeputyRegistry.parseLevel(text) == level, "\(text)")
        }
        for text in ["人大代表", "级", "村人大代表", ""] { #expect(DeputyRegistry.parseLevel(text) == nil, "\(text)") }
    }
}

@Suite("DeputyRegistry and GET /v1/callers", .enabled(if: TestDatabase.isConfigured))
struct CallerRouteTests {
    static func count(_ database: MinhuDatabase) async throws -> Int {
        try await database.withConnection { connection -> Int in
            let rows = try await connection.guardedQuery("SELECT count(*)::int FROM deputies", logger: TestDatabase.logger)
            for try await count in rows.decode(Int.self) { return count }
            return -1
        }
    }

    @Test("import, re-import updates instead of duplicating, lookup finds active deputies by any phone format")
    func importAndReimport() async throws {
        try await TestDatabase.withDatabase { database in
            let logger = TestDatabase.logger
            let first = try DeputyRegistry.parse(csv: """
                name,phones,level,constituency,active
                王建国,+86 138-0013-8000,全国,,
                李秀英,13800138002,市,城南区,true
                张伟,13800138003,乡镇,青山镇,否
                """)
            #expect(first.rejections.isEmpty)
            let report = try await DeputyRegistry.importRows(first.rows, database: database, logger: logger)
            #expect(report.inserted == 3 && report.updated == 0 && report.rejections.isEmpty)
            #expect(try await Self.count(database) == 3)

            // The constituency-free row changes its phones; the other one is unchanged: both update.
            let second = try DeputyRegistry.parse(csv: """
                name,phones,level,constituency
                王建国,13800138000;13800138010,national,
                李秀英,13800138002,city,城南区
                刘芳,13800138003,county,城北区
                """)
            #expect(second.rejections.isEmpty)
            let again = try await DeputyRegistry.importRows(second.rows, database: database, logger: logger)
            #expect(again.inserted == 0 && again.updated == 2)
            // 刘芳 claims 张伟's phone (inactive, but registered in the database): rejected on her line.
            #expect(again.rejections.map(\.line) == [4])
            #expect(try await Self.count(database) == 3)

            try await database.withConnection { connection in
                for format in ["+86 138-0013-8000", "138 0013 8000", "013800138000", "13800138010"] {
                    let found = try await DeputyRegistry.lookup(phone: format, on: connection, logger: logger)
                    #expect(found?.name == "王建国" && found?.level == .national && found?.constituency == nil,
                            "\(format)")
                    #expect(found?.phone == Citizen.normalizePhone(format))
                }
                // Inactive, unknown and unreadable numbers are not deputies.
                #expect(try await DeputyRegistry.lookup(phone: "13800138003", on: connection, logger: logger) == nil)
                #expect(try await DeputyRegistry.lookup(phone: "13900000000", on: connection, logger: logger) == nil)
                #expect(try await DeputyRegistry.lookup(phone: "abc", on: connection, logger: logger) == nil)
            }
            let listed = try await DeputyRegistry.list(database: database, logger: logger)
            #expect(listed.map(\.name) == ["王建国", "李秀英", "张伟"])
            #expect(listed.first?.phones == ["13800138000", "13800138010"])

            // A phone that moves from one deputy to another in the same file, whatever the order of its rows
            // (found by a review: the row that took the phone was rejected when it came first), and two deputies
            // that swap phones.
            let moved = try DeputyRegistry.parse(csv: """
                name,phones,level,constituency
                赵敏,13800138010,市,城东区
                王建国,13800138000,全国,
                李秀英,13800138003,市,城南区
                张伟,13800138002,乡镇,青山镇
                """)
            let third = try await DeputyRegistry.importRows(moved.rows, database: database, logger: logger)
            #expect(third.inserted == 1 && third.updated == 3 && third.rejections.isEmpty, "\(third)")
            let after = try await DeputyRegistry.list(database: database, logger: logger)
            #expect(after.first { $0.name == "赵敏" }?.phones == ["13800138010"])
            #expect(after.first { $0.name == "李秀英" }?.phones == ["13800138003"])
            #expect(after.first { $0.name == "张伟" }?.phones == ["13800138002"])
            // A phone still held by a deputy the file leaves alone is rejected at import; one that two rows of the
            // file claim, when the file is read.
            let clashing = try DeputyRegistry.parse(csv: """
                name,phones,level,constituency
                孙丽,13800138000,区,城西区
                周强,13900139000,区,城西区
                吴刚,13900139000,区,城西区
                """)
            let fourth = try await DeputyRegistry.importRows(clashing.rows, database: database, logger: logger)
            #expect(clashing.rejections.map(\.line) == [4])
            #expect(fourth.inserted == 1 && fourth.rejections.map(\.line) == [2], "\(fourth)")
        }
    }

    @Test("the route recognises a deputy in any phone format, lists a caller's appeals, and checks keys and input")
    func route() async throws {
        try await TestDatabase.withDatabase { database in
            let logger = TestDatabase.logger
            let parsed = try DeputyRegistry.parse(csv: """
                name,phones,level,constituency
                王建国,13800138000,city,城南区
                李秀英,13800138002,township,青山镇
                """)
            _ = try await DeputyRegistry.importRows(parsed.rows, database: database, logger: logger)
            let citizen = "13912345678"
            let base = Date(timeIntervalSince1970: 1_709_251_200) // 2024-03-01T00:00:00Z
            let appeals: [(String, String, String, Date, String?, String)] = [
                ("20240301-000001", "路灯不亮", "hotline", base, "dispatched", citizen),
                ("20240302-000002", "噪音扰民", "wechat", base.addingTimeInterval(86_400), nil, citizen),
                ("20240303-000003", "道路积水", "deputy", base.addingTimeInterval(2 * 86_400), "closed", "13800138000"),
            ]
            try await database.withTransaction { connection in
                for (caseNumber, title, channel, receivedAt, status, phone) in appeals {
                    let id = UUID()
                    let masked = #"{"phone": "\#(Citizen.maskPhone(phone))", "anonymous": false}"#
                    try await connection.guardedQuery("""
                        INSERT INTO appeals (id, case_number, channel, arrival_channel, title, body, submitted_at,
                                             received_at, citizen_masked, tracking_token)
                        VALUES (\(id), \(caseNumber), \(channel), \(channel), \(title), \(title + "，请处理。"),
                                \(receivedAt), \(receivedAt), \(masked)::jsonb, \(UUID().uuidString))
                        """, logger: logger)
                    try await connection.guardedQuery("""
                        INSERT INTO citizen_contacts (appeal_id, name, phone) VALUES (\(id), '张三', \(phone))
                        """, logger: logger)
                    if let status {
                        try await connection.guardedQuery("""
                            INSERT INTO appeal_status (appeal_id, case_number, status, position_at, last_event,
                                                       updated_at)
                            VALUES (\(id), \(caseNumber), \(status), \(receivedAt), 'appeal.' || \(status), now())
                            """, logger: logger)
                    }
                }
            }
            let agent = try await ApiKeyAdmin.create(name: "agent 7", role: .agent, database: database, logger: logger)
            let observer = try await ApiKeyAdmin.create(name: "watcher", role: .observer, database: database,
                                                        logger: logger)
            let router = Router()
            CallerRoute.register(on: router, database: database,
                                 keys: ApiKeyStore(database: database, logger: logger), logger: logger)
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let app = Application(router: router,
                                  configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                                  logger: logger)
            let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                let port = await iterator.next() ?? 0
                #expect(port != 0)

                func get(_ phone: String, key: String?) async throws -> (Int, String, [String: Any]) {
                    let escaped = phone.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? phone
                    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/callers/\(escaped)")!)
                    if let key { request.setValue("Bearer " + key, forHTTPHeaderField: "Authorization") }
                    let (data, response) = try await URLSession.shared.data(for: request)
                    let http = response as? HTTPURLResponse
                    let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
                    return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Content-Type") ?? "", object)
                }

                for format in ["+86 138-0013-8000", "138 0013 8000", "013800138000"] {
                    let (status, _, body) = try await get(format, key: agent.key)
                    #expect(status == 200, "\(format)")
                    #expect(body["phone"] as? String == "138****8000")
                    let deputy = body["deputy"] as? [String: Any]
                    #expect(deputy?["name"] as? String == "王建国", "\(format)")
                    #expect(deputy?["level"] as? String == "city" && deputy?["level_name"] as? String == "市级")
                    #expect(deputy?["constituency"] as? String == "城南区")
                    let listed = body["appeals"] as? [[String: Any]] ?? []
                    #expect(listed.map { $0["case_number"] as? String } == ["20240303-000003"])
                    #expect(listed.first?["status_name"] as? String == "已办结")
                }

                let (status, _, body) = try await get("+86 139 1234 5678", key: agent.key)
                #expect(status == 200)
                #expect(body["deputy"] is NSNull)
                #expect(body["phone"] as? String == "139****5678")
                let listed = body["appeals"] as? [[String: Any]] ?? []
                #expect(listed.map { $0["case_number"] as? String } == ["20240302-000002", "20240301-000001"])
                #expect(listed.map { $0["status"] as? String } == ["received", "dispatched"])
                #expect(listed.map { $0["status_name"] as? String } == ["已受理", "已转办"])
                #expect(listed.first?["channel"] as? String == "wechat" && listed.first?["title"] as? String == "噪音扰民")
                #expect(listed.last?["received_at"] as? String == "2024-03-01T00:00:00Z")

                let nobody = try await get("13700000000", key: agent.key)
                #expect(nobody.0 == 200 && nobody.2["deputy"] is NSNull && (nobody.2["appeals"] as? [Any])?.isEmpty == true)

                let unauthorised = try await get("13800138000", key: nil)
                #expect(unauthorised.0 == 401 && unauthorised.1.hasPrefix("application/problem+json"))
                let forbidden = try await get("13800138000", key: observer.key)
                #expect(forbidden.0 == 403 && forbidden.1.hasPrefix("application/problem+json"))
                let invalid = try await get("abc", key: agent.key)
                #expect(invalid.0 == 400 && invalid.1.hasPrefix("application/problem+json"))
                #expect(invalid.2["field"] as? String == "phone")

                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}
