import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
// The test bundle links MinhuText through MinhuTextTests; the integration target should list it in Package.swift.
import PostgresNIO
import Testing

/// minhu-dispatcher run in-process for tests: the real runtime (database pool, relay, consumer of
/// dispatcher.events, HTTP server on a free port) with the shipped text models, on a fresh database and vhost.
struct DispatcherHarness: Sendable {
    let port: Int
    let database: MinhuDatabase
    let amqpURL: AMQPURL
    let logger: Logger

    /// The shipped models, loaded once for every test.
    static let analyzer: Result<MinhuTextAnalyzer, any Error> = Result {
        try MinhuTextAnalyzer.load(environment: ProcessInfo.processInfo.environment)
    }

    /// Runs the dispatcher on `amqpURL` and a fresh database during `body`.
    static func run(amqpURL: AMQPURL, environment extra: [String: String] = [:],
                    _ body: @Sendable (DispatcherHarness) async throws -> Void) async throws {
        try await TestDatabase.withConfiguration { databaseConfiguration in
            try await run(amqpURL: amqpURL, database: databaseConfiguration, environment: extra, body)
        }
    }

    /// Runs the dispatcher on `amqpURL` and an existing database (e.g. twice in a row: a restart).
    static func run(amqpURL: AMQPURL, database databaseConfiguration: DatabaseConfiguration,
                    environment extra: [String: String] = [:],
                    _ body: @Sendable (DispatcherHarness) async throws -> Void) async throws {
        let logger = TestDatabase.logger
        let analyzer = try analyzer.get()
        let topology = MinhuTopology.make(departments: [], channels: [])
        try await TopologyDeclarer.declare(topology, url: amqpURL)
        var environment = [
            "MINHU_DATABASE_URL": databaseConfiguration.testURL, "MINHU_AMQP_URL": amqpURL.testURL,
            "MINHU_HTTP_HOST": "127.0.0.1", "MINHU_HTTP_PORT": "0", "MINHU_AMQP_HEARTBEAT": "2",
        ]
        environment.merge(extra) { $1 }
        let configuration = try ServiceConfiguration.fromEnvironment(environment, serviceName: "dispatcher")
        let settings = try DispatcherSettings.fromEnvironment(environment)
        let runtime = ServiceRuntime.build(configuration: configuration, logger: logger, topology: topology)
        let parts = DispatcherService.parts(runtime: runtime, settings: settings, analyzer: analyzer)
        let router = ServiceRouter.make(health: runtime.healthMonitor(consumers: parts.amqpConsumers))
        parts.routes(router)
        let port = Locked(0)
        let group = runtime.serviceGroup(consumers: parts.consumers, router: router, signals: []) { bound in
            port.withLock { $0 = bound }
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await expectEventually(timeout: .seconds(120), "the HTTP server is listening") { port.withLock { $0 } != 0 }
                // Routes answer 503 until the schema guard has opened the start-up gate.
                try await runtime.startupGate.wait()
                let harness = DispatcherHarness(port: port.withLock { $0 }, database: runtime.database,
                                                amqpURL: amqpURL, logger: logger)
                try await body(harness)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// An `appeal.received` as intake would publish it.
    static func received(title: String, body: String, caseNumber: String = DispatcherHarness.caseNumber(),
                         channel: MinhuModels.Channel = .hotline, kind: AppealKind? = nil, location: Location? = nil,
                         fromDeputy: Bool = false, phone: String = "138****8000", at time: Date = Date()) -> AppealReceived {
        AppealReceived(appealId: UUID(), caseNumber: caseNumber, round: 1, attempt: 0, occurredAt: time,
                       channel: channel, kind: kind, title: title, body: body, submittedAt: time, location: location,
                       citizen: MaskedCitizen(name: "张*", phone: phone), fromDeputy: fromDeputy)
    }

    /// A fresh case number of the intake format.
    static func caseNumber() -> String {
        "20261122-" + String(format: "%06d", Int.random(in: 0..<1_000_000))
    }

    /// Publishes events on minhu.events as minhu-intake would; returns the messages (to publish one again).
    @discardableResult
    func publish(_ events: [AppealReceived]) async throws -> [OutgoingMessage] {
        let messages = try events.map { try MessageEnvelope.event($0, producer: "minhu-intake", at: Date()) }
        try await publish(messages)
        return messages
    }

    func publish(_ messages: [OutgoingMessage]) async throws {
        let publisher = AMQPPublisher(url: amqpURL, logger: logger)
        let outcomes = try await publisher.publish(messages)
        await publisher.shutdown()
        #expect(allConfirmed(outcomes))
    }

    /// The dispatcher's outbox rows of `type`, decoded.
    func emitted<P: EventPayload>(_ type: P.Type) async throws -> [P] {
        try await database.withConnection { connection in
            let rows = try await connection.guardedQuery("""
                SELECT body FROM outbox WHERE producer = 'minhu-dispatcher' AND type = \(P.eventType.rawValue) ORDER BY id
                """, logger: logger)
            var out: [P] = []
            for try await body in rows.decode(String.self) { out.append(try MinhuJSON.decode(P.self, from: Data(body.utf8))) }
            return out
        }
    }

    func classified(_ appeal: UUID) async throws -> AppealClassified? {
        try await emitted(AppealClassified.self).first { $0.appealId == appeal }
    }

    func inboxCount() async throws -> Int {
        try await count("SELECT count(*) FROM inbox WHERE consumer = 'dispatcher.events'")
    }

    func count(_ sql: String) async throws -> Int {
        try await database.withConnection { connection in
            var value = 0
            for try await (count) in try await connection.guardedQuery(PostgresQuery(unsafeSQL: sql), logger: logger)
                .decode(Int.self) { value = count }
            return value
        }
    }

    /// An API key of `role`.
    func key(_ role: Role, department: String? = nil) async throws -> String {
        try await ApiKeyAdmin.create(name: "\(role.rawValue) \(UUID().uuidString.prefix(6))", role: role,
                                     channel: role == .integrator ? "wechat" : nil, department: department,
                                     database: database, logger: logger).key
    }

    /// An HTTP request to the harness: (status, content type, body).
    func request(_ method: String, _ path: String, key: String? = nil, body: Data? = nil) async throws
        -> (status: Int, contentType: String, body: Data) {
        let parts = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var escaped = parts[0].addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String(parts[0])
        if parts.count == 2 {
            escaped += "?" + (parts[1].addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "")
        }
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(escaped)")!)
        request.httpMethod = method
        if let key { request.setValue("Bearer " + key, forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Content-Type") ?? "", data)
    }
}
