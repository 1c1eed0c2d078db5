import Foundation
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
import Testing

/// minhu-intake's native HTTP API on the real database and broker (docs/intake.md).
@Suite("Intake: native HTTP API", .enabled(if: TestDatabase.isConfigured))
struct IntakeHTTPTests {
    func decodeAnswer(_ data: Data) throws -> IdempotentSubmission.Answer {
        try MinhuJSON.decode(IdempotentSubmission.Answer.self, from: data)
    }

    @Test("a POST is one case file and one appeal.received, published; the citizen and staff views follow the role")
    func submitAndView() async throws {
        try await TestBroker.withVhost { url in
            try await IntakeHarness.run(amqpURL: url) { intake in
                let agent = try await intake.key(.agent)
                let observer = try await intake.key(.observer)
                let created = try await intake.post(IntakeHarness.appealJSON(), key: agent)
                #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
                let answer = try decodeAnswer(created.body)
                #expect(answer.caseNumber.range(of: #"^\d{8}-\d{6}$"#, options: .regularExpression) != nil)
                #expect(answer.trackingUrl.absoluteString.hasPrefix("https://12345.example.gov.cn/v1/appeals/\(answer.caseNumber)?token="))
                #expect(try await intake.count("SELECT count(*) FROM appeals") == 1)
                #expect(try await intake.count("SELECT count(*) FROM outbox WHERE type = 'appeal.received'") == 1)
                let fullPhoneInOutbox = try await intake.count("SELECT count(*) FROM outbox WHERE body LIKE '%13800138000%'")
                #expect(fullPhoneInOutbox == 0, "events carry the masked phone only")
                // The relay publishes it: dispatcher.events holds it.
                try await expectEventually(timeout: .seconds(120)) {
                    try await TopologyDeclarer.status(of: ["dispatcher.events"], url: url)["dispatcher.events"]?.messages == 1
                }
                // Citizen view by tracking token: masked.
                let path = answer.trackingUrl.absoluteString.replacingOccurrences(of: "https://12345.example.gov.cn", with: "")
                let citizen = try await intake.request("GET", path)
                #expect(citizen.status == 200)
                let citizenText = String(decoding: citizen.body, as: UTF8.self)
                #expect(citizenText.contains("138****8000") && !citizenText.contains("13800138000"))
                #expect(citizenText.contains("\"status_name\":\"已受理\""))
                #expect(!citizenText.contains("\"body\""), "the citizen view has no staff fields")
                let wrongToken = try await intake.request("GET", "/v1/appeals/\(answer.caseNumber)?token=00")
                #expect(wrongToken.status == 404)
                #expect(try await intake.request("GET", "/v1/appeals/\(answer.caseNumber)").status == 401)
                // Staff views: the agent sees the full contact, the observer does not.
                let agentView = String(decoding: try await intake.request("GET", "/v1/appeals/\(answer.caseNumber)", key: agent).body, as: UTF8.self)
                #expect(agentView.contains("13800138000") && agentView.contains("檀溪路128号"))
                let observerView = try await intake.request("GET", "/v1/appeals/\(answer.caseNumber)", key: observer)
                #expect(observerView.status == 200)
                #expect(!String(decoding: observerView.body, as: UTF8.self).contains("13800138000"))
                #expect(try await intake.request("GET", "/v1/appeals/20000101-999999", key: agent).status == 404)
            }
        }
    }

    @Test("100 concurrent POSTs with one Idempotency-Key make one appeal; another body with the key is 422")
    func idempotency() async throws {
        try await TestBroker.withVhost { url in
            try await IntakeHarness.run(amqpURL: url) { intake in
                let agent = try await intake.key(.agent)
                let body = IntakeHarness.appealJSON()
                let results = try await withThrowingTaskGroup(of: (Int, Data).self) { group in
                    for _ in 0..<100 {
                        group.addTask { let r = try await intake.post(body, key: agent, idempotencyKey: "same-key"); return (r.status, r.body) }
                    }
                    return try await group.reduce(into: [(Int, Data)]()) { $0.append($1) }
                }
                #expect(try await intake.count("SELECT count(*) FROM appeals") == 1)
                #expect(try await intake.count("SELECT count(*) FROM outbox WHERE type = 'appeal.received'") == 1)
                #expect(results.allSatisfy { $0.0 == 201 || $0.0 == 409 }, "\(Set(results.map(\.0)))")
                let cases = Set(try results.filter { $0.0 == 201 }.map { try decodeAnswer($0.1).caseNumber })
                #expect(cases.count == 1)
                let again = try await intake.post(body, key: agent, idempotencyKey: "same-key")
                #expect(again.status == 201)
                #expect(try decodeAnswer(again.body).caseNumber == cases.first)
                let other = try await intake.post(IntakeHarness.appealJSON(title: "另一件事"), key: agent, idempotencyKey: "same-key")
                #expect(other.status == 422 && other.contentType.hasPrefix("application/problem+json"))
                #expect(try await intake.count("SELECT count(*) FROM appeals") == 1)

                // Pruned once old (minhu prune idempotency-keys), the key is free again: a new request, a new appeal.
                #expect(try await IdempotencyKeyRetention.prune(olderThanDays: 30, database: intake.database,
                                                                logger: TestDatabase.logger) == 0)
                _ = try await intake.database.withConnection { connection in
                    try await connection.guardedQuery(
                        "UPDATE idempotency_keys SET created_at = now() - interval '31 days'", logger: TestDatabase.logger)
                }
                #expect(try await IdempotencyKeyRetention.prune(olderThanDays: 30, database: intake.database,
                                                                logger: TestDatabase.logger) == 1)
                // Each batch finds its keys through the index on created_at (0016), not a scan of the table.
                #expect(try await intake.count("""
                    SELECT count(*) FROM pg_indexes WHERE tablename = 'idempotency_keys'
                        AND indexdef LIKE '%USING btree (created_at)'
                    """) == 1)
                let fresh = try await intake.post(body, key: agent, idempotencyKey: "same-key")
                #expect(fresh.status == 201)
                #expect(try decodeAnswer(fresh.body).caseNumber != cases.first)
            }
        }
    }

    @Test("while the database is stuck, submissions beyond MINHU_INTAKE_MAX_WAITING get 503 and record nothing")
    func overloaded() async throws {
        try await TestBroker.withVhost { url in
            try await IntakeHarness.run(amqpURL: url, environment: ["MINHU_INTAKE_MAX_WAITING": "1"]) { intake in
                let agent = try await intake.key(.agent)
                let released = Locked(false)
                // Another session holds the case files: every batch waits for it. (Four batches wait inside the
                // database, one request in the queue; URLSession sends at most six requests to a host at once.)
                let holder = Task {
                    try await intake.database.withConnection { connection in
                        try await connection.guardedQuery("BEGIN", logger: intake.logger)
                        try await connection.guardedQuery("LOCK TABLE appeals IN ACCESS EXCLUSIVE MODE",
                                                          logger: intake.logger)
                        // (At most 20 s: the test then fails on its expectations rather than hanging.)
                        let deadline = ContinuousClock.now + .seconds(20)
                        while !released.withLock({ $0 }) && ContinuousClock.now < deadline {
                            try await Task.sleep(for: .milliseconds(50))
                        }
                        try await connection.guardedQuery("ROLLBACK", logger: intake.logger)
                    }
                }
                try await Task.sleep(for: .milliseconds(500))
                let answers = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                    for n in 0..<30 {
                        group.addTask {
                            let r = try await intake.post(IntakeHarness.appealJSON(title: "路灯不亮 \(n)"), key: agent)
                            let problem = try? JSONSerialization.jsonObject(with: r.body) as? [String: Any]
                            return (r.status, r.status == 503 ? problem?["detail"] as? String : nil)
                        }
                    }
                    // The lock is released once some submissions have been refused.
                    var answers: [(Int, String?)] = []
                    for try await answer in group {
                        answers.append(answer)
                        if answer.0 == 503 { released.withLock { $0 = true } }
                    }
                    return answers
                }
                released.withLock { $0 = true }
                try await holder.value
                let refused = answers.filter { $0.0 == 503 }
                #expect(!refused.isEmpty && refused.count < 30, "\(answers.map(\.0))")
                #expect(refused.allSatisfy { $0.1?.contains("retry") == true })
                #expect(answers.allSatisfy { $0.0 == 503 || $0.0 == 201 }, "\(answers.map(\.0))")
                #expect(try await intake.count("SELECT count(*) FROM appeals") == 30 - refused.count)
            }
        }
    }

    @Test("a database error during a submission is a 503 problem, logged; the retry with its key records it once")
    func databaseErrorIsAProblem() async throws {
        try await TestBroker.withVhost { url in
            try await IntakeHarness.run(amqpURL: url) { intake in
                let agent = try await intake.key(.agent)
                // The idempotency keys' table is gone for a moment (a failed migration, a restore in progress).
                _ = try await intake.database.withConnection { connection in
                    try await connection.guardedQuery("ALTER TABLE idempotency_keys RENAME TO idempotency_keys_away",
                                                      logger: intake.logger)
                }
                let failed = try await intake.post(IntakeHarness.appealJSON(), key: agent, idempotencyKey: "db-down-1")
                let problem = try JSONSerialization.jsonObject(with: failed.body) as? [String: Any]
                #expect(failed.status == 503 && failed.contentType == "application/problem+json",
                        "\(failed.status) \(String(decoding: failed.body, as: UTF8.self))")
                #expect((problem?["detail"] as? String)?.contains("Idempotency-Key") == true)
                #expect(try await intake.count("SELECT count(*) FROM appeals") == 0)
                _ = try await intake.database.withConnection { connection in
                    try await connection.guardedQuery("ALTER TABLE idempotency_keys_away RENAME TO idempotency_keys",
                                                      logger: intake.logger)
                }
                let retried = try await intake.post(IntakeHarness.appealJSON(), key: agent, idempotencyKey: "db-down-1")
                #expect(retried.status == 201, "\(String(decoding: retried.body, as: UTF8.self))")
                let again = try await intake.post(IntakeHarness.appealJSON(), key: agent, idempotencyKey: "db-down-1")
                #expect(again.status == 201)
                #expect(try await intake.count("SELECT count(*) FROM appeals") == 1)
            }
        }
    }

    @Test("200 concurrent POSTs committed together: one appeal and one event each, distinct case numbers, replays intact")
    func groupCommit() async throws {
        try await TestBroker.withVhost { url in
            try await IntakeHarness.run(amqpURL: url) { intake in
                let agent = try await intake.key(.agent)
                let results = try await withThrowingTaskGroup(of: (Int, Int, Data).self) { group in
                    for index in 0..<200 {
                        group.addTask {
                            let body = IntakeHarness.appealJSON(title: "并发 \(index)", externalId: index % 10 == 0 ? "ext-\(index)" : nil)
                            let response = try await intake.post(body, key: agent, idempotencyKey: "key-\(index)")
                            return (index, response.status, response.body)
                        }
                    }
                    return try await group.reduce(into: [(Int, Int, Data)]()) { $0.append($1) }
                }
                #expect(results.allSatisfy { $0.1 == 201 }, "\(Set(results.map(\.1)))")
                let numbers = try results.map { try decodeAnswer($0.2).caseNumber }
                #expect(Set(numbers).count == 200)
                #expect(try await intake.count("SELECT count(*) FROM appeals") == 200)
                #expect(try await intake.count("SELECT count(*) FROM citizen_contacts") == 200)
                #expect(try await intake.count("SELECT count(*) FROM appeal_status") == 200)
                #expect(try await intake.count("SELECT count(*) FROM idempotency_keys") == 200)
                #expect(try await intake.count("SELECT count(*) FROM outbox WHERE type = 'appeal.received'") == 200)
                // Each key replays its own answer; a resend of a channel id under a new key is the same appeal (200).
                let replay = try await intake.post(IntakeHarness.appealJSON(title: "并发 7"), key: agent, idempotencyKey: "key-7")
                #expect(replay.status == 201)
                #expect(try decodeAnswer(replay.body).caseNumber == numbers[results.firstIndex { $0.0 == 7 }!])
                let resend = try await intake.post(IntakeHarness.appealJSON(title: "并发 20", externalId: "ext-20"), key: agent,
                                                   idempotencyKey: "another")
                #expect(resend.status == 200)
                #expect(try decodeAnswer(resend.body).caseNumber == numbers[results.firstIndex { $0.0 == 20 }!])
                #expect(try await intake.count("SELECT count(*) FROM appeals") == 200)
            }
        }
    }

    @Test("malformed input gets a specific 4xx naming the field, and stores nothing")
    func malformed() async throws {
        try await TestBroker.withVhost { url in
            try await IntakeHarness.run(amqpURL: url, environment: ["MINHU_INTAKE_MAX_BODY_BYTES": "4096"]) { intake in
                let agent = try await intake.key(.agent)
                let wechat = try await intake.key(.integrator, channel: "wechat")
                let observer = try await intake.key(.observer)
                func problem(_ response: (status: Int, contentType: String, body: Data)) -> (Int, String?, String) {
                    let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
                    return (response.status, object?["field"] as? String, object?["detail"] as? String ?? "")
                }
                let cases: [(Data, Int, String?)] = [
                    (Data("{not json".utf8), 400, nil),
                    (Data([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400, nil),
                    (IntakeHarness.appealJSON(extra: ["title": 42]), 400, "title"),
                    (IntakeHarness.appealJSON(extra: ["kind": "rant"]), 400, "kind"),
                    (IntakeHarness.appealJSON(extra: ["submitted_at": "yesterday"]), 400, "submitted_at"),
                    (IntakeHarness.appealJSON(phone: "12345"), 400, "citizen.phone"),
                    (IntakeHarness.appealJSON(title: "   "), 400, "title"),
                    (IntakeHarness.appealJSON(body: "a\u{0}b"), 400, "body"),
                    (IntakeHarness.appealJSON(extra: ["location": ["address": "x", "latitude": 91, "longitude": 1]]), 400, "location.latitude"),
                    (IntakeHarness.appealJSON(extra: ["channel": "Hot Line"]), 400, "channel"),
                    (IntakeHarness.appealJSON(extra: ["attachments": ["ftp://x/y"]]), 400, "attachments[0]"),
                    // 100 characters, but each with combining marks: over 512 bytes (with dozens of marks each,
                    // more than an index entry holds).
                    (IntakeHarness.appealJSON(extra: ["external_id": String(repeating: "e" + String(
                        repeating: "\u{301}", count: 5), count: 100)]), 400, "external_id"),
                    (Data(#"{"channel": "hotline"}"#.utf8), 400, "title"),
                    // 150 flags: 150 characters, 300 code points; the schema's maxLength of 200 counts code points.
                    (IntakeHarness.appealJSON(title: String(repeating: "🇨🇳", count: 150)), 400, "title"),
                    (IntakeHarness.appealJSON(body: String(repeating: "很", count: 3000)), 413, nil),
                ]
                for (body, status, field) in cases {
                    let (got, gotField, detail) = problem(try await intake.post(body, key: agent))
                    #expect(got == status, "\(String(decoding: body.prefix(80), as: UTF8.self)): \(detail)")
                    #expect(gotField == field, "\(detail)")
                    #expect(!detail.isEmpty)
                }
                #expect(try await intake.post(IntakeHarness.appealJSON(), key: agent, idempotencyKey: nil).status == 400)
                // 200 flags: 200 characters but 400 code points, over what the database holds: a 400, not a 500.
                let flags = try await intake.post(IntakeHarness.appealJSON(), key: agent,
                                                  idempotencyKey: String(repeating: "🇨🇳", count: 200))
                #expect(problem(flags).0 == 400 && problem(flags).2.contains("longer than 255"), "\(problem(flags).2)")
                #expect(try await intake.post(IntakeHarness.appealJSON(), key: "mh_nope").status == 401)
                #expect(try await intake.post(IntakeHarness.appealJSON(), key: observer).status == 403)
                let crossChannel = try await intake.post(IntakeHarness.appealJSON(channel: "mailbox"), key: wechat)
                #expect(crossChannel.status == 403, "an integrator may submit only as its channel")
                #expect(try await intake.count("SELECT count(*) FROM appeals") == 0)
                #expect(try await intake.count("SELECT count(*) FROM outbox") == 0)
                #expect(try await intake.post(IntakeHarness.appealJSON(channel: "wechat"), key: wechat).status == 201)
            }
        }
    }

    @Test("a registered deputy's phone in three writings is recognised: the deputy channel, flagged with the level; Open311 is served")
    func deputyCaller() async throws {
        try await TestBroker.withVhost { url in
            try await IntakeHarness.run(amqpURL: url) { intake in
                let parsed = try DeputyRegistry.parse(csv: "name,phones,level,constituency\n王代表,13912345678;0710-3456789,city,襄城区\n")
                _ = try await DeputyRegistry.importRows(parsed.rows, database: intake.database, logger: intake.logger)
                let agent = try await intake.key(.agent)
                for phone in ["+86 139-1234-5678", "139 1234 5678", "013912345678"] {
                    let created = try await intake.post(IntakeHarness.appealJSON(phone: phone), key: agent)
                    #expect(created.status == 201)
                    let answer = try decodeAnswer(created.body)
                    #expect(answer.channel == "deputy" && answer.fromDeputy, "\(phone)")
                }
                let ordinary = try decodeAnswer(try await intake.post(IntakeHarness.appealJSON(phone: "13700000001"), key: agent).body)
                #expect(ordinary.channel == "hotline" && !ordinary.fromDeputy)
                // Made anonymously from the deputy's phone: not attributed (that would name the caller).
                let anonymous = try await intake.post(IntakeHarness.appealJSON(phone: "13912345678", extra: [
                    "citizen": ["phone": "13912345678", "anonymous": true]]), key: agent)
                #expect(anonymous.status == 201)
                let unnamed = try decodeAnswer(anonymous.body)
                #expect(unnamed.channel == "hotline" && !unnamed.fromDeputy)
                #expect(try await intake.count("SELECT count(*) FROM appeals WHERE channel = 'deputy' AND deputy_level = 'city' AND arrival_channel = 'hotline'") == 3)
                #expect(try await intake.count("SELECT count(*) FROM outbox WHERE type = 'appeal.received' AND body LIKE '%\"from_deputy\":true%' AND body LIKE '%\"deputy_level\":\"city\"%'") == 3)
                let services = try await intake.request("GET", "/open311/v2/services.json")
                #expect(services.status == 200 && String(decoding: services.body, as: UTF8.self).contains("service_code"))
            }
        }
    }

    @Test("text full of SQL and HTML metacharacters is stored and returned verbatim, as one appeal")
    func metacharacters() async throws {
        try await TestBroker.withVhost { url in
            try await IntakeHarness.run(amqpURL: url) { intake in
                let agent = try await intake.key(.agent)
                let nasty = #"'); DROP TABLE appeals; -- <script>alert("x")</script> & %s \u0000 \" ' ` ; $$ 诉求"#
                let title = #"<b>"标题"</b> ' OR 1=1 --"#
                let created = try await intake.post(IntakeHarness.appealJSON(title: title, body: nasty, name: "O'Brien <i>"), key: agent)
                #expect(created.status == 201)
                #expect(try await intake.count("SELECT count(*) FROM appeals") == 1)
                let caseNumber = try decodeAnswer(created.body).caseNumber
                let view = try await intake.request("GET", "/v1/appeals/\(caseNumber)", key: agent)
                let object = try JSONSerialization.jsonObject(with: view.body) as? [String: Any]
                #expect(object?["body"] as? String == nasty)
                #expect(object?["title"] as? String == title)
                #expect((object?["contact"] as? [String: Any])?["name"] as? String == "O'Brien <i>")
            }
        }
    }
}
