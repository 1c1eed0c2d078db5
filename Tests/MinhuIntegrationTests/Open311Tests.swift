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

/// An Open311 endpoint on a fresh database, served on an ephemeral port.
struct Open311TestServer: Sendable {
    static let zone = TimeZone(identifier: "Asia/Shanghai")!
    let port: Int
    let database: MinhuDatabase
    let dates = Open311Dates(timeZone: zone)

    struct Reply: Sendable {
        var status: Int
        var contentType: String
        var body: String
        /// The `Idempotent-Replayed` header of the answer.
        var replayed: Bool = false

        /// The body as a JSON array of objects.
        var items: [[String: Any]] {
            let parsed = try? JSONSerialization.jsonObject(with: Data(body.utf8))
            return parsed as? [[String: Any]] ?? []
        }

        var object: [String: Any] {
            let parsed = try? JSONSerialization.jsonObject(with: Data(body.utf8))
            return parsed as? [String: Any] ?? [:]
        }

        var firstErrorCode: Int? { items.first?["code"] as? Int }
    }

    static func run(_ body: @Sendable (Open311TestServer) async throws -> Void) async throws {
        try await TestDatabase.withDatabase { database in
            let logger = TestDatabase.logger
            let keys = ApiKeyStore(database: database, ttl: .zero, logger: logger)
            let recorder = AppealRecorder(timeZone: zone, publicBaseURL: URL(string: "https://12345.example.gov.cn")!)
            let router = Router()
            Open311Routes.register(on: router, recorder: recorder, database: database, keys: keys,
                                   jurisdiction: "a-city", logger: logger)
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                                  logger: logger)
            let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                let port = await iterator.next() ?? 0
                #expect(port != 0)
                do {
                    try await body(Open311TestServer(port: port, database: database))
                } catch {
                    await group.triggerGracefulShutdown()
                    throw error
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    func get(_ path: String) async throws -> Reply {
        try await send(URLRequest(url: URL(string: "http://127.0.0.1:\(port)/open311/v2/\(path)")!))
    }

    func post(_ path: String, _ fields: [(String, String)],
              contentType: String = "application/x-www-form-urlencoded",
              idempotencyKey: String? = nil) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/open311/v2/\(path)")!)
        request.httpMethod = "POST"
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        if let idempotencyKey { request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key") }
        request.httpBody = Data(Self.encode(fields).utf8)
        return try await send(request)
    }

    private func send(_ request: URLRequest) async throws -> Reply {
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return Reply(status: http?.statusCode ?? 0, contentType: http?.value(forHTTPHeaderField: "Content-Type") ?? "",
                     body: String(decoding: data, as: UTF8.self),
                     replayed: http?.value(forHTTPHeaderField: "Idempotent-Replayed") == "true")
    }

    /// `application/x-www-form-urlencoded`: spaces as `+`, everything but unreserved ASCII as `%XX`.
    static func encode(_ fields: [(String, String)]) -> String {
        func escape(_ text: String) -> String {
            text.utf8.map { byte -> String in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                     UInt8(ascii: "~"):
                    String(UnicodeScalar(byte))
                case UInt8(ascii: " "): "+"
                default: String(format: "%%%02X", byte)
                }
            }.joined()
        }
        return fields.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    static func query(_ fields: [(String, String)]) -> String { fields.isEmpty ? "" : "?" + encode(fields) }

    /// A valid submission with `key`, changed by `changes` (an empty value removes the field).
    static func form(key: String?, _ changes: [String: String] = [:]) -> [(String, String)] {
        var fields: [(String, String)] = [
            ("service_code", "1"), ("description", "小区门口路灯坏了一周，晚上很黑，请尽快维修。电话13800138000"),
            ("phone", "138-0013-8000"), ("first_name", "三"), ("last_name", "张"),
            ("address_string", "东城区 幸福路 12 号"), ("lat", "32.0090"), ("long", "112.1220"),
            ("attribute[kind]", "help"), ("media_url", "https://example.org/photo.jpg"), ("account_id", "acc-7"),
        ]
        if let key { fields.append(("api_key", key)) }
        for (name, value) in changes {
            fields.removeAll { $0.0 == name }
            if !value.isEmpty { fields.append((name, value)) }
        }
        return fields
    }

    func key(_ role: Role, channel: String? = nil) async throws -> String {
        try await ApiKeyAdmin.create(name: "\(role.rawValue) \(channel ?? "")", role: role, channel: channel,
                                     database: database, logger: TestDatabase.logger).key
    }

    /// Submits a valid appeal; returns its case number.
    func submit(key: String, _ changes: [String: String] = [:]) async throws -> String {
        let reply = try await post("requests.json", Self.form(key: key, changes))
        #expect(reply.status == 200, "\(reply.body)")
        return reply.items.first?["service_request_id"] as? String ?? ""
    }

    func appealId(_ caseNumber: String) async throws -> UUID {
        try await database.withConnection { connection -> UUID in
            let rows = try await connection.guardedQuery("SELECT id FROM appeals WHERE case_number = \(caseNumber)",
                                                  logger: TestDatabase.logger)
            for try await (id) in rows.decode(UUID.self) { return id }
            throw Open311Error.notFound(caseNumber)
        }
    }

    /// Places the appeal in time, as the owner.
    func setReceived(_ caseNumber: String, _ date: Date) async throws {
        _ = try await database.withConnection { connection in
            try await connection.guardedQuery("UPDATE appeals SET received_at = \(date) WHERE case_number = \(caseNumber)",
                                       logger: TestDatabase.logger)
        }
    }

    func apply(_ events: [any LifecycleEventPayload]) async throws {
        let handler = LifecycleProjectionHandler()
        for event in events {
            _ = try await database.withTransaction { connection in
                try await handler.apply([LifecycleProjectionHandler.Event(payload: event)], on: connection,
                                        logger: TestDatabase.logger)
            }
        }
    }
}

@Suite("Open311 GeoReport v2", .enabled(if: TestDatabase.isConfigured))
struct Open311Tests {
    typealias Server = Open311TestServer

    @Test("discovery, services and service definitions in JSON and XML; unknown code and format are 404")
    func catalog() async throws {
        try await Server.run { server in
            let discovery = try await server.get("discovery.json")
            #expect(discovery.status == 200 && discovery.contentType.hasPrefix("application/json"))
            let endpoints = discovery.object["endpoints"] as? [[String: Any]]
            #expect(endpoints?.first?["url"] as? String == "https://12345.example.gov.cn/open311/v2/")
            #expect(endpoints?.first?["specification"] as? String == "http://wiki.open311.org/GeoReport_v2")
            #expect(endpoints?.first?["formats"] as? [String] == ["text/xml", "application/json"])
            let discoveryXML = try await server.get("discovery.xml")
            #expect(discoveryXML.status == 200 && discoveryXML.contentType.hasPrefix("text/xml"))
            #expect(discoveryXML.body.contains("<discovery><changeset>")
                    && discoveryXML.body.contains("<formats><format>text/xml</format><format>application/json</format></formats>"))

            let services = try await server.get("services.json")
            #expect(services.status == 200 && services.items.count > 100)
            let first = services.items.first
            #expect(first?["service_code"] as? String == "1")
            #expect(first?["service_name"] as? String == "事故处理")
            #expect(first?["description"] as? String == "城乡建设/安全生产/事故处理")
            #expect(first?["keywords"] as? String == "城乡建设,安全生产,事故处理")
            #expect(first?["group"] as? String == "城乡建设" && first?["type"] as? String == "realtime")
            #expect(first?["metadata"] as? Bool == true)
            let servicesXML = try await server.get("services.xml")
            #expect(servicesXML.body.hasPrefix(#"<?xml version="1.0" encoding="utf-8"?><services><service><service_code>1</service_code><service_name>事故处理</service_name>"#))

            let definition = try await server.get("services/1.json")
            #expect(definition.status == 200 && definition.object["service_code"] as? String == "1")
            let attributes = definition.object["attributes"] as? [[String: Any]] ?? []
            #expect(attributes.compactMap { $0["code"] as? String } == ["kind", "anonymous", "title"])
            let kinds = (attributes.first?["values"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
            #expect(kinds == ["consultation", "help", "complaint", "report", "suggestion"])
            #expect(attributes.first?["required"] as? Bool == false)
            let definitionXML = try await server.get("services/1.xml")
            #expect(definitionXML.body.contains("<service_definition><service_code>1</service_code><attributes><attribute><variable>true</variable><code>kind</code>"))
            #expect(definitionXML.body.contains("<values><value><key>consultation</key><name>咨询</name></value>"))

            for path in ["services/99999.json", "services/abc.json"] {
                let unknown = try await server.get(path)
                #expect(unknown.status == 404 && unknown.firstErrorCode == 404, "\(path)")
            }
            let unknownXML = try await server.get("services/99999.xml")
            #expect(unknownXML.status == 404 && unknownXML.body.contains("<errors><error><code>404</code><description>"))
            for path in ["services.csv", "services", "discovery.html", "requests/1.txt", "nothing.json"] {
                #expect(try await server.get(path).status == 404, "\(path)")
            }
            #expect(try await server.get("services.json?jurisdiction_id=a-city").status == 200)
            #expect(try await server.get("services.json?jurisdiction_id=elsewhere").status == 404)
        }
    }

    @Test("POST requests: records the appeal on the key's channel; 403, 404 and 400 errors in JSON and XML")
    func submission() async throws {
        try await Server.run { server in
            let wechat = try await server.key(.integrator, channel: "wechat")
            let agent = try await server.key(.agent)
            let dispatcher = try await server.key(.dispatcher)

            let created = try await server.post("requests.json", Server.form(key: wechat, [
                "description": "路灯 坏了+1 & <急> 50%", "attribute[title]": "路灯损坏", "attribute[anonymous]": "true",
            ]))
            #expect(created.status == 200 && created.contentType.hasPrefix("application/json"), "\(created.body)")
            let answer = created.items.first
            let caseNumber = answer?["service_request_id"] as? String ?? ""
            #expect(caseNumber.wholeMatch(of: /[0-9]{8}-[0-9]{6,}/) != nil)
            #expect((answer?["token"] as? String ?? "").count == 32)
            #expect(answer?["service_notice"] as? String == "您的诉求已受理，受理编号：\(caseNumber)")
            #expect(answer?["account_id"] as? String == "acc-7")
            let stored = try await server.database.withConnection { connection in
                let rows = try await connection.guardedQuery("""
                    SELECT a.channel, a.arrival_channel, a.title, a.body, a.service_code, a.kind, a.location::text,
                           a.attachments, c.phone, c.name, c.anonymous
                    FROM appeals a JOIN citizen_contacts c ON c.appeal_id = a.id WHERE a.case_number = \(caseNumber)
                    """, logger: TestDatabase.logger)
                for try await row in rows.decode((String, String, String, String, String?, String?, String, [String],
                                                  String, String?, Bool).self) { return row }
                throw Open311Error.notFound(caseNumber)
            }
            #expect(stored.0 == "wechat" && stored.1 == "wechat" && stored.2 == "路灯损坏")
            #expect(stored.3 == "路灯 坏了+1 & <急> 50%" && stored.4 == "1" && stored.5 == "help")
            #expect(stored.6.contains("东城区 幸福路 12 号") && stored.6.contains("32.009"))
            #expect(stored.7 == ["https://example.org/photo.jpg"])
            #expect(stored.8 == "13800138000" && stored.9 == nil && stored.10)

            // An agent's submission is on channel open311; the title defaults to the first 20 characters.
            let viaAgent = try await server.post("requests.xml", Server.form(key: agent, [
                "lat": "", "long": "", "address_string": "", "address_id": "A-778", "first_name": "", "last_name": "",
            ]))
            #expect(viaAgent.status == 200 && viaAgent.contentType.hasPrefix("text/xml"), "\(viaAgent.body)")
            #expect(viaAgent.body.contains("<service_requests><request><service_request_id>"))
            #expect(viaAgent.body.contains("<service_notice>您的诉求已受理，受理编号："))
            let agentCase = viaAgent.body.firstMatch(of: /<service_request_id>([0-9-]+)</)?.1 ?? ""
            let agentRow = try await server.database.withConnection { connection in
                let rows = try await connection.guardedQuery("""
                    SELECT arrival_channel, title FROM appeals WHERE case_number = \(String(agentCase))
                    """, logger: TestDatabase.logger)
                for try await row in rows.decode((String, String).self) { return row }
                return ("", "")
            }
            #expect(agentRow.0 == "open311" && agentRow.1 == "小区门口路灯坏了一周，晚上很黑，请尽快维")

            // Keys: missing, unknown, wrong role → 403 error list.
            for (key, format) in [(nil, "json"), ("mh_unknown", "json"), (dispatcher, "json"), (nil, "xml")] as [(String?, String)] {
                let refused = try await server.post("requests.\(format)", Server.form(key: key))
                #expect(refused.status == 403, "\(key ?? "nil") \(format)")
                if format == "json" {
                    #expect(refused.firstErrorCode == 403 && (refused.items.first?["description"] as? String ?? "").contains("api_key"))
                } else {
                    #expect(refused.body.contains("<errors><error><code>403</code><description>api_key"))
                }
            }
            // Bad input.
            let unknownService = try await server.post("requests.json", Server.form(key: wechat, ["service_code": "99999"]))
            #expect(unknownService.status == 404 && unknownService.firstErrorCode == 404)
            let noLocation = try await server.post("requests.json", Server.form(key: wechat, [
                "lat": "", "long": "", "address_string": ""]))
            #expect(noLocation.status == 400 && (noLocation.items.first?["description"] as? String ?? "").contains("missing location"))
            let badPhone = try await server.post("requests.xml", Server.form(key: wechat, ["phone": "12345"]))
            #expect(badPhone.status == 400 && badPhone.body.contains("<description>phone: "))
            let noPhone = try await server.post("requests.json", Server.form(key: wechat, ["phone": ""]))
            #expect(noPhone.status == 400 && (noPhone.items.first?["description"] as? String ?? "").hasPrefix("phone"))
            let noDescription = try await server.post("requests.json", Server.form(key: wechat, ["description": ""]))
            #expect(noDescription.status == 400 && (noDescription.items.first?["description"] as? String ?? "").hasPrefix("description"))
            let loneLat = try await server.post("requests.json", Server.form(key: wechat, ["long": ""]))
            #expect(loneLat.status == 400)
            let badLat = try await server.post("requests.json", Server.form(key: wechat, ["lat": "95"]))
            #expect(badLat.status == 400 && (badLat.items.first?["description"] as? String ?? "").hasPrefix("lat"))
            let elsewhere = try await server.post("requests.json", Server.form(key: wechat, ["jurisdiction_id": "elsewhere"]))
            #expect(elsewhere.status == 404 && (elsewhere.items.first?["description"] as? String ?? "").hasPrefix("jurisdiction_id"))
            let nul = try await server.post("requests.json", Server.form(key: wechat, ["address_string": "幸福路\u{0}12号"]))
            #expect(nul.status == 400 && (nul.items.first?["description"] as? String ?? "").contains("NUL"), "\(nul.body)")
            let badKind = try await server.post("requests.json", Server.form(key: wechat, ["attribute[kind]": "praise"]))
            #expect(badKind.status == 400 && (badKind.items.first?["description"] as? String ?? "").hasPrefix("attribute[kind]"))
            let json = try await server.post("requests.json", Server.form(key: wechat), contentType: "application/json")
            #expect(json.status == 400)
            #expect(try await server.post("services.json", Server.form(key: wechat)).status == 404)
            // Nothing was recorded by the refused requests.
            let count = try await server.database.withConnection { connection -> Int in
                let rows = try await connection.guardedQuery("SELECT count(*)::int FROM appeals", logger: TestDatabase.logger)
                for try await (count) in rows.decode(Int.self) { return count }
                return -1
            }
            #expect(count == 2)
        }
    }

    @Test("POST requests with an Idempotency-Key: a retry gets the first answer; another key or none is a new appeal")
    func retries() async throws {
        try await Server.run { server in
            let wechat = try await server.key(.integrator, channel: "wechat")
            let agent = try await server.key(.agent)
            func count() async throws -> Int {
                try await server.database.withConnection { connection in
                    var n = 0
                    for try await value in try await connection.guardedQuery(
                        "SELECT count(*)::int FROM appeals", logger: TestDatabase.logger).decode(Int.self) { n = value }
                    return n
                }
            }
            let first = try await server.post("requests.json", Server.form(key: wechat), idempotencyKey: "retry-1")
            #expect(first.status == 200 && !first.replayed, "\(first.body)")
            let again = try await server.post("requests.json", Server.form(key: wechat), idempotencyKey: "retry-1")
            #expect(again.status == 200 && again.replayed, "\(again.body)")
            #expect(again.items.first?["service_request_id"] as? String == first.items.first?["service_request_id"] as? String)
            #expect(again.items.first?["token"] as? String == first.items.first?["token"] as? String)
            // Whatever the retry carries (rebuilt without the phone, a service since withdrawn): the first answer,
            // not a 400 or 404 that would tell the client its committed request failed (found by a review).
            let rebuilt = try await server.post("requests.json",
                                                Server.form(key: wechat, ["phone": "", "service_code": "999"]),
                                                idempotencyKey: "retry-1")
            #expect(rebuilt.status == 200 && rebuilt.replayed, "\(rebuilt.body)")
            #expect(rebuilt.items.first?["service_request_id"] as? String
                    == first.items.first?["service_request_id"] as? String)
            #expect(try await count() == 1)
            // The same header value from another API key, or no header, is another appeal.
            let otherKey = try await server.post("requests.xml", Server.form(key: agent), idempotencyKey: "retry-1")
            #expect(otherKey.status == 200 && !otherKey.replayed, "\(otherKey.body)")
            #expect(!otherKey.body.contains(first.items.first?["service_request_id"] as? String ?? "-"))
            _ = try await server.submit(key: wechat)
            _ = try await server.submit(key: wechat)
            #expect(try await count() == 4)
            // appeal.received names the service the citizen chose and the channel it came in on.
            let withCode = try await StorageFixtures.integer("""
                SELECT count(*) FROM outbox WHERE type = 'appeal.received' AND body LIKE '%"service_code":"1"%'
                """, on: server.database)
            let fromWechat = try await StorageFixtures.integer("""
                SELECT count(*) FROM outbox WHERE type = 'appeal.received' AND body LIKE '%"arrival_channel":"wechat"%'
                """, on: server.database)
            let fromOpen311 = try await StorageFixtures.integer("""
                SELECT count(*) FROM outbox WHERE type = 'appeal.received' AND body LIKE '%"arrival_channel":"open311"%'
                """, on: server.database)
            // Three from the WeChat integrator's key, one from the agent's (Open311 itself).
            #expect(withCode == 4 && fromWechat == 3 && fromOpen311 == 1, "\(withCode) \(fromWechat) \(fromOpen311)")
            // An empty or overlong key is refused, and nothing is recorded.
            for bad in ["", String(repeating: "k", count: 256), String(repeating: "🇨🇳", count: 200)] {
                let refused = try await server.post("requests.json", Server.form(key: wechat), idempotencyKey: bad)
                #expect(refused.status == 400 && refused.body.contains("Idempotency-Key"), "\(refused.body)")
            }
            #expect(try await count() == 4)
        }
    }

    @Test("GET requests: masked entries, date window, status and id filters, paging; requests/{id} and tokens/{token}")
    func queries() async throws {
        try await Server.run { server in
            let key = try await server.key(.integrator, channel: "wechat")
            let now = Date()
            let recent = try await server.submit(key: key)
            let older = try await server.submit(key: key, ["service_code": "02"])  // stored as 2, the catalogue's code
            let ancient = try await server.submit(key: key)
            try await server.setReceived(recent, now.addingTimeInterval(-10 * 86_400))
            try await server.setReceived(older, now.addingTimeInterval(-40 * 86_400))
            try await server.setReceived(ancient, now.addingTimeInterval(-100 * 86_400))

            let all = try await server.get("requests.json")
            #expect(all.status == 200)
            #expect(all.items.compactMap { $0["service_request_id"] as? String } == [recent, older])
            let entry = all.items.first ?? [:]
            #expect(entry["status"] as? String == "open" && entry["minhu_status"] as? String == "open")
            #expect(entry["service_code"] as? String == "1" && entry["service_name"] as? String == "事故处理")
            #expect((entry["description"] as? String ?? "").hasSuffix("电话138****8000"))
            #expect(!all.body.contains("13800138000") && !all.body.contains("张"))
            #expect(entry["address"] as? String == "东城区 幸福路 12 号")
            #expect(entry["lat"] as? Double == 32.009 && entry["long"] as? Double == 112.122)
            #expect(entry["media_url"] as? String == "https://example.org/photo.jpg")
            #expect(entry["requested_datetime"] as? String == server.dates.format(now.addingTimeInterval(-10 * 86_400)))
            #expect((entry["requested_datetime"] as? String ?? "").hasSuffix("+08:00"))
            #expect(entry["zipcode"] is NSNull && entry["expected_datetime"] is NSNull && entry["agency_responsible"] is NSNull)

            func ids(_ query: [(String, String)], format: String = "json") async throws -> [String]? {
                let reply = try await server.get("requests.\(format)" + Server.query(query))
                guard reply.status == 200 else { return nil }
                return reply.items.compactMap { $0["service_request_id"] as? String }
            }
            let day: TimeInterval = 86_400
            let format = server.dates.format
            #expect(try await ids([("start_date", format(now.addingTimeInterval(-120 * day))),
                                   ("end_date", format(now.addingTimeInterval(-50 * day)))]) == [ancient])
            #expect(try await ids([("start_date", format(now.addingTimeInterval(-45 * day)))]) == [recent, older])
            #expect(try await ids([("end_date", format(now.addingTimeInterval(-30 * day)))]) == [older, ancient])
            #expect(try await ids([("start_date", format(now.addingTimeInterval(-50 * day))),
                                   ("end_date", format(now.addingTimeInterval(-20 * day)))]) == [older])
            // A date as a query string carries it, unencoded `+` and all.
            let raw = try await server.get("requests.json?start_date=" + format(now.addingTimeInterval(-45 * day)))
            #expect(raw.status == 200 && raw.items.count == 2)
            for bad in [[("start_date", "last week")], [("end_date", "2026-02-30")],
                        [("start_date", format(now.addingTimeInterval(-100 * day))), ("end_date", format(now))],
                        [("start_date", format(now)), ("end_date", format(now.addingTimeInterval(-day)))],
                        [("status", "pending")], [("page", "0")], [("page_size", "1001")], [("page_size", "x")],
                        [("service_code", "\u{0}")], [("service_request_id", "1\u{0}")]] {
                let reply = try await server.get("requests.json" + Server.query(bad))
                #expect(reply.status == 400 && reply.firstErrorCode == 400, "\(bad)")
            }
            let badXML = try await server.get("requests.xml?start_date=yesterday")
            #expect(badXML.status == 400 && badXML.body.contains("<errors><error><code>400</code><description>start_date"))

            #expect(try await ids([("service_code", "2")]) == [older])
            #expect(try await ids([("service_code", "1,2")]) == [recent, older])
            #expect(try await ids([("status", "open")]) == [recent, older])
            #expect(try await ids([("status", "closed")]) == [])
            #expect(try await ids([("status", "open,closed")]) == [recent, older])
            #expect(try await ids([("page_size", "1")]) == [recent])
            #expect(try await ids([("page_size", "1"), ("page", "2")]) == [older])
            #expect(try await ids([("page_size", "1"), ("page", "3")]) == [])
            // service_request_id overrides the window and the other filters.
            #expect(try await ids([("service_request_id", "\(ancient), \(recent),nope"), ("status", "closed")])
                    == [recent, ancient])

            let xml = try await server.get("requests.xml?service_request_id=\(recent)")
            #expect(xml.status == 200 && xml.contentType.hasPrefix("text/xml"))
            #expect(xml.body.contains("<service_requests><request><service_request_id>\(recent)</service_request_id><status>open</status><minhu_status>open</minhu_status>"))
            #expect(xml.body.contains("<zipcode/>") && xml.body.contains("<lat>32.009</lat>"))

            let one = try await server.get("requests/\(ancient).json")
            #expect(one.status == 200 && one.items.count == 1 && one.items.first?["service_request_id"] as? String == ancient)
            let oneXML = try await server.get("requests/\(ancient).xml")
            #expect(oneXML.status == 200 && oneXML.body.contains("<service_request_id>\(ancient)</service_request_id>"))
            #expect(try await server.get("requests/20000101-999999.json").status == 404)
            #expect(try await server.get("requests/20000101-999999.xml").body.contains("<code>404</code>"))

            let token = try await server.database.withConnection { connection -> String in
                let rows = try await connection.guardedQuery("SELECT tracking_token FROM appeals WHERE case_number = \(older)",
                                                      logger: TestDatabase.logger)
                for try await (token) in rows.decode(String.self) { return token }
                return ""
            }
            let byToken = try await server.get("tokens/\(token).json")
            #expect(byToken.status == 200 && byToken.items.first?["service_request_id"] as? String == older
                    && byToken.items.first?["token"] as? String == token)
            let byTokenXML = try await server.get("tokens/\(token).xml")
            #expect(byTokenXML.body.contains("<request><service_request_id>\(older)</service_request_id><token>\(token)</token></request>"))
            #expect(try await server.get("tokens/0123456789abcdef.json").status == 404)
        }
    }

    @Test("status fields follow lifecycle events: out of order, return and redispatch, close, reopen, stale events")
    func lifecycle() async throws {
        try await Server.run { server in
            let wechat = try await server.key(.integrator, channel: "wechat")
            let app = try await server.key(.integrator, channel: "app")
            let agent = try await server.key(.agent)
            let first = try await server.submit(key: wechat)
            let second = try await server.submit(key: agent)
            let id = try await server.appealId(first)
            let t0 = Date(timeIntervalSince1970: floor(Date().timeIntervalSince1970))
            func at(_ seconds: Int) -> Date { t0.addingTimeInterval(TimeInterval(seconds)) }
            let replyBy1 = at(5 * 86_400), replyBy2 = at(8 * 86_400)

            func status(_ caseNumber: String) async throws -> [String: Any] {
                let reply = try await server.get("requests/\(caseNumber).json")
                #expect(reply.status == 200)
                return reply.items.first ?? [:]
            }
            func check(_ caseNumber: String, _ expected: (String, String), agency: String?, due: Date?,
                       notes: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let entry = try await status(caseNumber)
                #expect(entry["status"] as? String == expected.0, sourceLocation: sourceLocation)
                #expect(entry["minhu_status"] as? String == expected.1, sourceLocation: sourceLocation)
                #expect(entry["agency_responsible"] as? String == agency, sourceLocation: sourceLocation)
                #expect(entry["expected_datetime"] as? String == due.map(server.dates.format), sourceLocation: sourceLocation)
                if let notes { #expect(entry["status_notes"] as? String == notes, sourceLocation: sourceLocation) }
            }

            let dispatched1 = AppealDispatched(appealId: id, caseNumber: first, round: 1, attempt: 1, occurredAt: at(2),
                                               departmentCode: "education", signBy: at(86_400), replyBy: replyBy1,
                                               policy: "default", tier: .deadline, urgency: .normal)
            let classified = AppealClassified(appealId: id, caseNumber: first, round: 1, attempt: 0, occurredAt: at(1),
                                              category: CategoryPath(level1: "城乡建设", level2: "安全生产", level3: "事故处理"),
                                              confidence: 0.9, kind: .help, urgency: .normal, tier: .deadline,
                                              place: Place(district: "东城区"), manual: false, departmentCode: "education")
            // Dispatched arrives before classified: the status stays dispatched.
            try await server.apply([dispatched1, classified])
            try await check(first, ("open", "acknowledged"), agency: "市教育局", due: replyBy1)

            try await server.apply([AppealSigned(appealId: id, caseNumber: first, round: 1, attempt: 1, occurredAt: at(3),
                                                 departmentCode: "education")])
            try await check(first, ("open", "in_progress"), agency: "市教育局", due: replyBy1)

            try await server.apply([AppealReturned(appealId: id, caseNumber: first, round: 1, attempt: 1, occurredAt: at(4),
                                                   departmentCode: "education", reason: "不属于本单位职责",
                                                   suggestedDepartmentCode: "public-security")])
            try await check(first, ("open", "reassigned"), agency: "市教育局", due: replyBy1, notes: "不属于本单位职责")

            try await server.apply([AppealDispatched(appealId: id, caseNumber: first, round: 1, attempt: 2, occurredAt: at(5),
                                                     departmentCode: "public-security", signBy: at(86_400),
                                                     replyBy: replyBy2, policy: "default", tier: .deadline,
                                                     urgency: .normal)])
            try await check(first, ("open", "acknowledged"), agency: "市公安局", due: replyBy2)

            try await server.apply([AppealReplied(appealId: id, caseNumber: first, round: 1, attempt: 2, occurredAt: at(6),
                                                  departmentCode: "public-security", reply: "已修复路灯，请致电13912345678核实",
                                                  resolved: true)])
            try await check(first, ("open", "action_scheduled"), agency: "市公安局", due: replyBy2,
                            notes: "已修复路灯，请致电139****5678核实")

            try await server.apply([AppealClosed(appealId: id, caseNumber: first, round: 1, attempt: 2, occurredAt: at(7),
                                                 reason: .evaluated, satisfaction: nil, closedBy: "minhu-evaluation")])
            try await check(first, ("closed", "closed"), agency: "市公安局", due: replyBy2)

            try await server.apply([AppealReopened(appealId: id, caseNumber: first, round: 2, attempt: 0, occurredAt: at(8),
                                                   previousRound: 1, reason: "群众不满意", decidedBy: "supervisor")])
            try await check(first, ("open", "reopened"), agency: "市公安局", due: nil, notes: "群众不满意")
            // A stale event of round 1 after the reopening changes nothing.
            try await server.apply([AppealSigned(appealId: id, caseNumber: first, round: 1, attempt: 2, occurredAt: at(9),
                                                 departmentCode: "public-security")])
            try await check(first, ("open", "reopened"), agency: "市公安局", due: nil)

            // 不予受理 closes the appeal as not the council's responsibility.
            let secondId = try await server.appealId(second)
            try await server.apply([AppealRejected(appealId: secondId, caseNumber: second, round: 1, attempt: 0,
                                                   occurredAt: at(10), reason: "属于司法诉讼范围", decidedBy: "dispatcher")])
            try await check(second, ("closed", "not_councils_responsibility"), agency: nil, due: nil, notes: "属于司法诉讼范围")
            let closed = try await server.get("requests.json?status=closed")
            #expect(closed.items.compactMap { $0["service_request_id"] as? String } == [second])
            let open = try await server.get("requests.json?status=open")
            #expect(open.items.compactMap { $0["service_request_id"] as? String } == [first])

            // servicerequestupdates: a key is required; an integrator sees its own channel's appeals only.
            let noKey = try await server.get("servicerequestupdates.json")
            #expect(noKey.status == 403 && noKey.firstErrorCode == 403)
            #expect(try await server.get("servicerequestupdates.xml?api_key=mh_nope").body.contains("<code>403</code>"))
            let forAgent = try await server.get("servicerequestupdates.json?api_key=\(agent)")
            #expect(forAgent.status == 200)
            #expect(forAgent.items.compactMap { $0["service_request_id"] as? String } == [first, second])
            let update = forAgent.items.first ?? [:]
            #expect(update["status"] as? String == "open" && update["minhu_status"] as? String == "reopened")
            #expect(update["agency_responsible"] as? String == "市公安局" && update["updated_datetime"] is String)
            #expect(update["description"] == nil)
            let forWechat = try await server.get("servicerequestupdates.json?api_key=\(wechat)")
            #expect(forWechat.items.compactMap { $0["service_request_id"] as? String } == [first])
            let forApp = try await server.get("servicerequestupdates.xml?api_key=\(app)")
            #expect(forApp.status == 200 && forApp.body.hasSuffix("<service_requests></service_requests>"))
            let future = Server.query([("api_key", agent), ("start_date", server.dates.format(Date().addingTimeInterval(3600)))])
            let none = try await server.get("servicerequestupdates.json" + future)
            #expect(none.status == 200 && none.items.isEmpty)
            // Updated more than a day ago: outside the default window, inside an explicit one.
            _ = try await server.database.withConnection { connection in
                try await connection.guardedQuery("""
                    UPDATE appeal_status SET updated_at = now() - interval '2 days' WHERE case_number = \(first)
                    """, logger: TestDatabase.logger)
            }
            let recent = try await server.get("servicerequestupdates.json?api_key=\(agent)")
            #expect(recent.items.compactMap { $0["service_request_id"] as? String } == [second])
            let wide = Server.query([("api_key", agent), ("start_date", server.dates.format(Date().addingTimeInterval(-3 * 86_400))),
                                     ("page_size", "1")])
            #expect(try await server.get("servicerequestupdates.json" + wide).items
                .compactMap { $0["service_request_id"] as? String } == [first])
            let header = try await server.send(header: agent)
            #expect(header == 200)
        }
    }
}

extension Open311TestServer {
    /// `servicerequestupdates` with the key in `X-Api-Key` instead of `api_key`: the status.
    func send(header key: String) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/open311/v2/servicerequestupdates.json")!)
        request.setValue(key, forHTTPHeaderField: "X-Api-Key")
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}
