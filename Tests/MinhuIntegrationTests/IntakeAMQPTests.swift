import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
import Testing

/// Integrators' appeals and supplements over AMQP (`minhu.intake` → intake.channels), with real broker users.
@Suite("Intake: AMQP channels", .enabled(if: TestDatabase.isConfigured))
struct IntakeAMQPTests {
    let logger = TestDatabase.logger

    func appeal(_ externalId: String, phone: String = "13900139000", title: String = "路灯不亮") -> IntakeAppeal {
        IntakeAppeal(externalId: externalId, kind: .help, title: title, body: "樊城区人民路路灯连续三晚不亮，夜间出行不安全。",
                     submittedAt: Date(timeIntervalSince1970: 1_790_000_000),
                     location: Location(district: "樊城区", address: "人民路"),
                     citizen: Citizen(name: "李四", phone: phone))
    }

    func publish(_ messages: [OutgoingMessage], as url: AMQPURL) async throws -> [PublishOutcome] {
        let publisher = AMQPPublisher(url: url, logger: logger)
        let outcomes = try await publisher.publish(messages)
        await publisher.shutdown()
        return outcomes
    }

    func message(_ body: IntakeAppeal, channel: MinhuModels.Channel, user: String) throws -> OutgoingMessage {
        try MessageEnvelope.message(body, route: .intake(channel: channel, kind: .appeal), producer: "adapter",
                                    at: Date(), userID: user)
    }

    @Test("the same channel id sent twice is one appeal; each submission is acknowledged on outbound.<channel>")
    func dedupAndAcknowledge() async throws {
        try await TestBroker.withVhost { url in
            let wechat = try await TestBroker.createIntegrator(channel: "wechat", in: url, topicPermissions: true)
            try await IntakeHarness.run(amqpURL: url) { intake in
                let deputies = try DeputyRegistry.parse(csv: "name,phones,level,constituency\n周代表,13900139001,county,樊城区\n")
                _ = try await DeputyRegistry.importRows(deputies.rows, database: intake.database, logger: logger)
                let first = try message(appeal("wx-001"), channel: .wechat, user: "integrator.wechat")
                let resend = try message(appeal("wx-001"), channel: .wechat, user: "integrator.wechat")
                let other = try message(appeal("wx-002", phone: "+86 139-0013-9001"), channel: .wechat, user: "integrator.wechat")
                #expect(allConfirmed(try await publish([first, resend, other], as: wechat)))
                try await expectEventually(timeout: .seconds(120)) {
                    try await intake.count("SELECT count(*) FROM inbox WHERE consumer = 'intake.channels'") == 3
                }
                #expect(try await intake.count("SELECT count(*) FROM appeals") == 2)
                #expect(try await intake.count("SELECT count(*) FROM appeals WHERE external_id = 'wx-002' AND channel = 'deputy' AND deputy_level = 'county' AND arrival_channel = 'wechat'") == 1)
                #expect(try await intake.count("SELECT count(*) FROM citizen_contacts WHERE phone = '13900139001'") == 1)
                #expect(try await intake.count("SELECT count(*) FROM outbox WHERE type = 'appeal.received'") == 2)
                // The deputy's appeal is handled on the deputy channel, and says where it came in (answers go there).
                #expect(try await intake.count("""
                    SELECT count(*) FROM outbox WHERE type = 'appeal.received'
                        AND body LIKE '%"channel":"deputy"%' AND body LIKE '%"arrival_channel":"wechat"%'
                    """) == 1)
                let acknowledgements = try await DeadLetterReader.read(queue: "outbound.wechat", count: 3, url: url,
                                                                        timeout: .seconds(90))
                #expect(acknowledgements.count == 3)
                let decoded = try acknowledgements.map { try MinhuJSON.decode(OutboundAcknowledgement.self, from: $0.body) }
                #expect(Set(decoded.map(\.caseNumber)).count == 2, "the resend is acknowledged with the first case number")
                #expect(decoded.allSatisfy { $0.text.contains($0.caseNumber) && $0.phone == nil })
            }
        }
    }

    @Test("as compose runs it: least-privilege broker user (password from a file), database login in minhu_intake")
    func leastPrivilegeUsers() async throws {
        try await TestBroker.withVhost { url in
            let wechat = try await TestBroker.createIntegrator(channel: "wechat", in: url, topicPermissions: true)
            let topology = MinhuTopology.make(departments: [], channels: ["wechat", "mailbox"])
            try await TopologyDeclarer.declare(topology, url: url)
            try await BrokerPermissionTests.withUsers([BrokerPermissions.service("intake", topology: topology)],
                                                      url: url) { users in
                let intakeUser = try #require(users["minhu-intake"])
                // The broker password comes from a file (MINHU_AMQP_PASSWORD_FILE), not the URL; the database user
                // is a login in role minhu_intake (LoginRole), as compose runs it.
                let passwordFile = NSTemporaryDirectory() + "minhu-intake-amqp-\(UUID().uuidString)"
                try Data(intakeUser.password.utf8).write(to: URL(fileURLWithPath: passwordFile))
                defer { try? FileManager.default.removeItem(atPath: passwordFile) }
                try await IntakeHarness.run(amqpURL: intakeUser.with(user: intakeUser.user, password: "wrong-password"),
                                            declaringWith: url,
                                            environment: ["MINHU_AMQP_PASSWORD_FILE": passwordFile],
                                            databaseLogin: true) { intake in
                    #expect(try await intake.count("SELECT count(*) FROM pg_roles WHERE rolname = current_user "
                                                   + "AND NOT rolsuper AND pg_has_role(rolname, 'minhu_intake', "
                                                   + "'MEMBER')") == 1)
                    let first = try message(appeal("wx-lp-1"), channel: .wechat, user: "integrator.wechat")
                    #expect(allConfirmed(try await publish([first], as: wechat)))
                    // The integrator reads its acknowledgement as itself.
                    let acknowledgements = try await DeadLetterReader.read(queue: "outbound.wechat", count: 1,
                                                                            url: wechat, timeout: .seconds(90))
                    #expect(acknowledgements.count == 1)
                    // The relay published appeal.received (reporting.events takes every event).
                    try await expectEventually(timeout: .seconds(90), "appeal.received relayed") {
                        try await intake.count("""
                            SELECT count(*) FROM outbox WHERE type = 'appeal.received' AND published_at IS NOT NULL
                            """) == 1
                    }
                    let reporting = try await TopologyDeclarer.status(of: ["reporting.events"], url: url)
                    #expect(reporting["reporting.events"]?.messages == 1)
                }
            }
        }
    }

    @Test("an integrator publishing as another channel, and malformed messages, become dead letters with reasons")
    func refusals() async throws {
        try await TestBroker.withVhost { url in
            let wechat = try await TestBroker.createIntegrator(channel: "wechat", in: url)
            try await IntakeHarness.run(amqpURL: url) { intake in
                var bad = try message(appeal("wx-9"), channel: .mailbox, user: "integrator.wechat")
                var noUser = try message(appeal("wx-10"), channel: .wechat, user: "integrator.wechat")
                noUser.userID = nil
                var notJSON = try message(appeal("wx-11"), channel: .wechat, user: "integrator.wechat")
                notJSON.body = Data("{\"external_id\": ".utf8)
                var wrongType = try message(appeal("wx-12"), channel: .wechat, user: "integrator.wechat")
                wrongType.body = Data(String(decoding: wrongType.body, as: UTF8.self)
                    .replacingOccurrences(of: "\"title\":\"路灯不亮\"", with: "\"title\":7").utf8)
                let badPhone = try message(appeal("wx-13", phone: "call me"), channel: .wechat, user: "integrator.wechat")
                var notUTF8 = try message(appeal("wx-14"), channel: .wechat, user: "integrator.wechat")
                notUTF8.body = Data([0x7b, 0xff, 0x7d])
                // Fields without a length in the schema, and a body past the limit (found by a review: the AMQP
                // path took a district name of any length and stored it).
                func edited(_ id: String, _ edit: (inout [String: Any]) -> Void) throws -> OutgoingMessage {
                    var edited = try message(appeal(id), channel: .wechat, user: "integrator.wechat")
                    var object = try #require(try JSONSerialization.jsonObject(with: edited.body) as? [String: Any])
                    edit(&object)
                    edited.body = try JSONSerialization.data(withJSONObject: object)
                    return edited
                }
                let longDistrict = try edited("wx-15") {
                    $0["location"] = ["address": "建设路1号", "district": String(repeating: "区", count: 1_000)]
                }
                let longURL = try edited("wx-16") {
                    $0["attachments"] = ["https://x.cn/" + String(repeating: "a", count: 3_000)]
                }
                let huge = try edited("wx-17") { $0["body"] = String(repeating: "a", count: 300_000) }
                bad.messageID = UUID()
                let published = try await publish([bad, noUser, notJSON, wrongType, badPhone, notUTF8, longDistrict,
                                                   longURL, huge], as: wechat)
                #expect(allConfirmed(published))
                let dead = try await DeadLetterReader.read(queue: "dead.intake.channels", count: 9, url: url,
                                                           timeout: .seconds(90))
                let reasons = dead.compactMap { $0.properties.headers["x-minhu-error"] }
                #expect(reasons.count == 9, "\(reasons)")
                #expect(reasons.contains { $0.contains("location.district: longer than 100 characters") })
                #expect(reasons.contains { $0.contains("attachments[0]: longer than 2048 characters") })
                #expect(reasons.contains { $0.contains("the limit is 262144") })
                #expect(reasons.contains { $0.contains("may not submit for channel 'mailbox'") })
                #expect(reasons.contains { $0.contains("missing user_id") })
                #expect(reasons.contains { $0.contains("not valid JSON") })
                #expect(reasons.contains { $0.contains("'title'") })
                #expect(reasons.contains { $0.contains("citizen.phone") })
                #expect(reasons.contains { $0.contains("UTF-8") })
                #expect(try await intake.count("SELECT count(*) FROM appeals") == 0)
            }
        }
    }

    @Test("a supplement to an open appeal emits appeal.supplemented; one to an unknown appeal is a dead letter")
    func supplements() async throws {
        try await TestBroker.withVhost { url in
            let wechat = try await TestBroker.createIntegrator(channel: "wechat", in: url)
            try await IntakeHarness.run(amqpURL: url) { intake in
                #expect(allConfirmed(try await publish([try message(appeal("wx-s1"), channel: .wechat, user: "integrator.wechat")], as: wechat)))
                try await expectEventually(timeout: .seconds(120)) { try await intake.count("SELECT count(*) FROM appeals") == 1 }
                // The department waits for the citizen (its appeal.awaiting_citizen, as intake.events projects it).
                #expect(try await intake.count("""
                    WITH waiting AS (UPDATE appeal_status SET status = 'awaiting_citizen', round = 1, attempt = 1,
                                         rank = 60, position_at = now() - interval '1 minute' RETURNING 1)
                    SELECT count(*) FROM waiting
                    """) == 1)
                let known = try MessageEnvelope.message(IntakeSupplement(externalId: "wx-s1", text: "补充：附近还有两盏也不亮", submittedAt: Date()),
                                                        route: .intake(channel: .wechat, kind: .supplement),
                                                        producer: "adapter", at: Date(), userID: "integrator.wechat")
                let unknown = try MessageEnvelope.message(IntakeSupplement(caseNumber: "20000101-000001", text: "补充", submittedAt: Date()),
                                                          route: .intake(channel: .wechat, kind: .supplement),
                                                          producer: "adapter", at: Date(), userID: "integrator.wechat")
                // Refused at decoding, each with its reason, as an appeal's fields would be.
                let refused = try [IntakeSupplement(caseNumber: "\u{0}", text: "补充", submittedAt: Date()),
                                   IntakeSupplement(externalId: "wx-s1", text: "补充",
                                                    attachments: [URL(string: "file:///etc/passwd")!], submittedAt: Date()),
                                   IntakeSupplement(externalId: "wx-s1", text: String(repeating: "很", count: 20_001),
                                                    submittedAt: Date())].map {
                    try MessageEnvelope.message($0, route: .intake(channel: .wechat, kind: .supplement),
                                                producer: "adapter", at: Date(), userID: "integrator.wechat")
                }
                #expect(allConfirmed(try await publish([known, unknown] + refused, as: wechat)))
                try await expectEventually(timeout: .seconds(120)) {
                    try await intake.count("SELECT count(*) FROM outbox WHERE type = 'appeal.supplemented'") == 1
                }
                #expect(try await intake.count("SELECT count(*) FROM appeal_supplements") == 1)
                // The supplement answers 待群众补充: the case file says 处理中 again (Open311: in_progress).
                #expect(try await intake.count("""
                    SELECT count(*) FROM appeal_status
                    WHERE status = 'in_progress' AND last_event = 'appeal.supplemented'
                    """) == 1)
                // A wait projected after the supplement that answered it (the department's event came late): the
                // supplement, recorded since, answers it at once.
                #expect(try await intake.count("""
                    WITH signed AS (UPDATE appeal_status SET status = 'signed', rank = 50,
                                        position_at = now() - interval '2 minutes', last_event = 'appeal.signed'
                                    RETURNING 1)
                    SELECT count(*) FROM signed
                    """) == 1)
                let (appealID, caseNumber) = try await intake.database.withConnection { connection in
                    var found: (UUID, String)?
                    for try await row in try await connection.guardedQuery(
                        "SELECT id, case_number FROM appeals", logger: TestDatabase.logger
                    ).decode((UUID, String).self) { found = row }
                    return try #require(found)
                }
                let lateWait = AppealAwaitingCitizen(appealId: appealID, caseNumber: caseNumber, round: 1, attempt: 1,
                                                     occurredAt: Date().addingTimeInterval(-3600),
                                                     departmentCode: "water", reason: "请补充照片")
                let waitEvent = try MessageEnvelope.event(lateWait, producer: "minhu-dispatcher",
                                                          at: lateWait.occurredAt)
                #expect(allConfirmed(try await publish([waitEvent], as: url)))
                try await expectEventually(timeout: .seconds(60)) {
                    try await intake.count("""
                        SELECT count(*) FROM appeal_status
                        WHERE status = 'in_progress' AND last_event = 'appeal.supplemented' AND rank = 60
                        """) == 1
                }
                let dead = try await DeadLetterReader.read(queue: "dead.intake.channels", count: 4, url: url, timeout: .seconds(90))
                let reasons = dead.compactMap { $0.properties.headers["x-minhu-error"] }
                #expect(reasons.contains { $0.contains("no appeal with case_number '20000101-000001'") }, "\(reasons)")
                // That one was applied (its id is in the inbox): its dead letter has an id of its own, so that a
                // replay of it is not skipped, and names the original.
                let deadUnknown = dead.first { $0.properties.headers["x-minhu-error"]?.contains("20000101") == true }
                #expect(deadUnknown?.messageID != unknown.messageID)
                #expect(deadUnknown?.properties.headers["x-minhu-original-message-id"] == unknown.messageID.uuidString)
                // Every one records its sender, so that `minhu deadletters replay --keep-sender` can restore it.
                #expect(dead.allSatisfy { $0.properties.headers["x-minhu-original-user-id"] == "integrator.wechat" },
                        "\(dead.map { $0.properties.headers["x-minhu-original-user-id"] ?? "-" })")
                #expect(reasons.contains { $0.contains("case_number: contains a NUL character") }, "\(reasons)")
                #expect(reasons.contains { $0.contains("attachments[0]: must be an http or https URL") }, "\(reasons)")
                #expect(reasons.contains { $0.contains("text: longer than 20000 characters") }, "\(reasons)")
            }
        }
    }

    @Test("the reference channel adapter (minhu channel run --once) publishes a file as its integrator and prints every acknowledgement")
    func referenceAdapter() async throws {
        try await TestBroker.withVhost { url in
            let wechat = try await TestBroker.createIntegrator(channel: "wechat", in: url, topicPermissions: true)
            try await IntakeHarness.run(amqpURL: url) { intake in
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("adapter-\(UUID().uuidString).jsonl")
                let lines = try (1...3).map { String(decoding: try MinhuJSON.encode(appeal("adapter-\($0)")), as: UTF8.self) }
                try (lines + ["{not json"]).joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(at: file) }
                // The integrator's URL (with its password) in the environment, off the command line.
                let (status, output) = try await ChildProcess.with(
                    "minhu", arguments: ["channel", "run", "--channel", "wechat", "--file", file.path,
                                         "--once", "--timeout", "60"],
                    environment: ["PATH": "/usr/bin:/bin", "MINHU_AMQP_URL": wechat.testURL]) { process in
                    (await process.waitForExit(timeout: .seconds(90)), process.log)
                }
                // The three appeals go through; the bad line makes the exit status say the file was not all sent.
                #expect(status == 1, "\(output)")
                #expect(output.contains("1 line(s) skipped and 0 appeal(s) not published"), "\(output)")
                #expect(try await intake.count("SELECT count(*) FROM appeals WHERE arrival_channel = 'wechat'") == 3)
                let caseNumbers = try await intake.database.withConnection { connection in
                    var numbers: [String] = []
                    for try await number in try await connection.guardedQuery("SELECT case_number FROM appeals", logger: logger)
                        .decode(String.self) { numbers.append(number) }
                    return numbers
                }
                #expect(caseNumbers.allSatisfy { output.contains($0) }, "every acknowledgement printed: \(output)")
                #expect(output.contains("line 4"), "the bad line is reported with its number")

                // --amqp-url naming only the user takes the password from MINHU_AMQP_PASSWORD_FILE, so that no
                // password need be on the command line (found by a review: it logged in with "guest").
                let passwordFile = FileManager.default.temporaryDirectory
                    .appendingPathComponent("pw-\(UUID().uuidString)")
                try TestBroker.integratorPassword.write(to: passwordFile, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(at: passwordFile) }
                try String(decoding: try MinhuJSON.encode(appeal("adapter-9")), as: UTF8.self)
                    .write(to: file, atomically: true, encoding: .utf8)
                var userOnly = try #require(URLComponents(string: wechat.testURL))
                userOnly.password = nil
                let (fromFile, fromFileOutput) = try await ChildProcess.with(
                    "minhu", arguments: ["channel", "run", "--channel", "wechat", "--file", file.path, "--once",
                                         "--timeout", "60", "--amqp-url", try #require(userOnly.string)],
                    environment: ["PATH": "/usr/bin:/bin", "MINHU_AMQP_PASSWORD_FILE": passwordFile.path]) { process in
                    (await process.waitForExit(timeout: .seconds(90)), process.log)
                }
                #expect(fromFile == 0, "\(fromFileOutput)")
                #expect(try await intake.count("SELECT count(*) FROM appeals WHERE arrival_channel = 'wechat'") == 4)
            }
        }
    }
}
