import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
import PostgresNIO
import Testing

/// The `minhu-deadlines` executable end to end: events from the broker start the clocks, the watcher (on a
/// compressed clock set after the due time) emits overdue, and the extension-decision route answers.
@Suite("Deadline service process", .enabled(if: TestDatabase.isConfigured))
struct DeadlineProcessTests {
    let logger = TestDatabase.logger

    /// The `http.port=N` of the service's "HTTP server listening" log line, if written yet.
    static func boundPort(inLog url: URL) -> Int? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.contains("HTTP server listening") {
            if let range = line.range(of: "http.port=") {
                return Int(line[range.upperBound...].prefix { $0.isNumber })
            }
        }
        return nil
    }

    func post(_ port: Int, _ caseNumber: String, key: String?, body: String) async throws -> (Int, String, String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/deadlines/\(caseNumber)/extension-decision")!)
        request.httpMethod = "POST"
        if let key { request.setValue("Bearer " + key, forHTTPHeaderField: "Authorization") }
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Content-Type") ?? "",
                String(decoding: data, as: UTF8.self))
    }

    @Test("events start the clocks, the watcher emits overdue, the centre decides an extension once over HTTP")
    func endToEnd() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withConfiguration { configuration in
                try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: url)
                let appeal = UUID()
                let dispatched = try DeadlineFixtures.dispatched(appeal, case: "P-0001")
                let request = AppealExtensionRequested(appealId: appeal, caseNumber: "P-0001", round: 1, attempt: 1,
                                                       occurredAt: DeadlineFixtures.at(2024, 3, 6, 9),
                                                       departmentCode: "water", workingDays: 3, reason: "需现场勘查")
                let publisher = AMQPPublisher(url: url, logger: logger)
                let outcomes = try await publisher.publish([
                    try MessageEnvelope.event(dispatched, producer: "minhu-dispatcher", at: dispatched.occurredAt),
                    try MessageEnvelope.event(request, producer: "minhu-dispatcher", at: request.occurredAt)])
                await publisher.shutdown()
                #expect(allConfirmed(outcomes))
                let environment = [
                    "MINHU_DATABASE_URL": configuration.testURL, "MINHU_AMQP_URL": url.testURL,
                    "MINHU_HTTP_HOST": "127.0.0.1", "MINHU_HTTP_PORT": "0", "MINHU_LOG_LEVEL": "info",
                    "MINHU_DEADLINES_TICK_MS": "100", "MINHU_CLOCK": "compressed", "MINHU_DATABASE_MAX_CONNECTIONS": "4",
                    // Tuesday 12 March 2024 09:00 Shanghai: after the reply-by due time (Monday 11th 17:00).
                    "MINHU_CLOCK_START": "2024-03-12T01:00:00Z", "MINHU_CLOCK_SPEED": "1",
                ]
                try await ChildProcess.with("minhu-deadlines", environment: environment) { process in
                    let logURL = process.logURL
                    try await TestDatabase.withRunningDatabase(configuration) { database in
                        try await expectEventually(timeout: .seconds(60)) {
                            let types = try await DeadlineFixtures.emitted(database, appeal: appeal).map(\.type)
                            return types.filter { $0 == "deadline.overdue" }.count == 2
                        }
                        guard process.isRunning else {
                            Issue.record("minhu-deadlines exited: \(process.log.suffix(4000))")
                            return
                        }
                        // The port the service bound (MINHU_HTTP_PORT=0), from its "HTTP server listening" log line.
                        var port = 0
                        try await expectEventually(timeout: .seconds(120)) {
                            port = Self.boundPort(inLog: logURL) ?? 0
                            return port != 0
                        }
                        let emitted = try await DeadlineFixtures.emitted(database, appeal: appeal)
                        #expect(emitted.filter { $0.type == "deadline.warning" }.count == 4)
                        let centre = try await ApiKeyAdmin.create(name: "centre-lead", role: .hotlineCentre,
                                                                  database: database, logger: logger).key
                        let agent = try await ApiKeyAdmin.create(name: "agent 7", role: .agent, database: database,
                                                                 logger: logger).key
                        try await expectEventually(timeout: .seconds(120)) {
                            (try? await post(port, "P-0001", key: nil, body: "{}"))?.0 == 401
                        }
                        let forbidden = try await post(port, "P-0001", key: agent, body: "{}")
                        #expect(forbidden.0 == 403 && forbidden.1.hasPrefix("application/problem+json"))
                        let missing = try await post(port, "P-0001", key: centre, body: #"{"decided_by": "x"}"#)
                        #expect(missing.0 == 400 && missing.1.hasPrefix("application/problem+json"))
                        #expect(missing.2.contains("\"field\":\"approve\""))
                        let approved = try await post(port, "P-0001", key: centre,
                                                      body: #"{"approve": true, "days": 2, "decided_by": "centre-lead"}"#)
                        #expect(approved.0 == 200, "\(approved.2)")
                        #expect(approved.2.contains("\"granted_working_days\":2"))
                        let again = try await post(port, "P-0001", key: centre,
                                                   body: #"{"approve": false, "reason": "x"}"#)
                        #expect(again.0 == 409)
                        let reply = try await DeadlineFixtures.clock(appeal, .reply, database)
                        #expect(reply?.dueAt == DeadlineFixtures.at(2024, 3, 13, 17))
                        #expect(reply?.extensionsUsed == 1)
                    }
                    process.signal(SIGTERM)
                    let status = await process.waitForExit(timeout: .seconds(60))
                    #expect(status == 0, "exit status; log tail: \(process.log.suffix(2000))")
                }
            }
        }
    }
}
