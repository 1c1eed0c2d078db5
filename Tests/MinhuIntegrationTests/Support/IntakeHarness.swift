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
import PostgresNIO
import Testing

/// minhu-intake run in-process for tests: the real runtime (database pool, relay, consumers of intake.channels
/// and intake.events, HTTP server on a free port) on a fresh database and broker vhost.
struct IntakeHarness: Sendable {
    let port: Int
    let database: MinhuDatabase
    let amqpURL: AMQPURL
    let logger: Logger

    /// Runs intake on `amqpURL` and a fresh database during `body`; `channels` get their outbound queues declared
    /// (as `declaringWith`'s user when given: an administrator, for an intake user with least privilege). With
    /// `databaseLogin`, intake connects as a login user of role `minhu_intake` made by `LoginRole` (dropped after).
    static func run(amqpURL: AMQPURL, declaringWith administrator: AMQPURL? = nil,
                    channels: [MinhuModels.Channel] = [.wechat, .mailbox],
                    environment extra: [String: String] = [:], databaseLogin: Bool = false,
                    _ body: @Sendable (IntakeHarness) async throws -> Void) async throws {
        let topology = MinhuTopology.make(departments: [], channels: channels.map(\.rawValue))
        try await TopologyDeclarer.declare(topology, url: administrator ?? amqpURL)
        let login = databaseLogin ? LoginRoleTests.freshName("intake_app") : nil
        do {
            try await run(amqpURL: amqpURL, topology: topology, login: login, environment: extra, body)
        } catch {
            if let login { await dropLogin(login) }
            throw error
        }
        if let login { await dropLogin(login) }
    }

    /// Drops a login user made for a run (roles are cluster-wide: from the server's own database).
    private static func dropLogin(_ login: String) async {
        guard let server = try? TestDatabase.serverConfiguration() else { return }
        try? await TestDatabase.withRunningDatabase(server) { await LoginRoleTests.drop(login, on: $0) }
    }

    private static func run(amqpURL: AMQPURL, topology: Topology, login: String?, environment extra: [String: String],
                            _ body: @Sendable (IntakeHarness) async throws -> Void) async throws {
        let logger = TestDatabase.logger
        try await TestDatabase.withConfiguration { owner in
            var databaseConfiguration = owner
            var loginEnvironment: [String: String] = [:]
            if let login {
                databaseConfiguration.username = login
                try await TestDatabase.withRunningDatabase(owner) { database in
                    _ = try await database.withConnection { connection in
                        try await LoginRole.apply(name: login, service: .intake,
                                                  verifier: ScramVerifier.make(password: "intake-login-password"),
                                                  on: connection, logger: logger)
                    }
                }
                // The server asks for the password (SCRAM); intake reads it from a file, as compose gives it.
                let file = NSTemporaryDirectory() + "minhu-\(login)"
                try Data("intake-login-password\n".utf8).write(to: URL(fileURLWithPath: file))
                loginEnvironment["MINHU_DATABASE_PASSWORD_FILE"] = file
            }
            defer { if let file = loginEnvironment["MINHU_DATABASE_PASSWORD_FILE"] { unlink(file) } }
            var environment = [
                "MINHU_DATABASE_URL": databaseConfiguration.testURL, "MINHU_AMQP_URL": amqpURL.testURL,
                "MINHU_HTTP_HOST": "127.0.0.1", "MINHU_HTTP_PORT": "0", "MINHU_AMQP_HEARTBEAT": "2",
                "MINHU_PUBLIC_BASE_URL": "https://12345.example.gov.cn",
            ]
            environment.merge(loginEnvironment) { $1 }
            environment.merge(extra) { $1 }
            let configuration = try ServiceConfiguration.fromEnvironment(environment, serviceName: "intake")
            let settings = try IntakeSettings.fromEnvironment(environment, httpPort: 0)
            let runtime = ServiceRuntime.build(configuration: configuration, logger: logger, topology: topology)
            let parts = IntakeService.parts(runtime: runtime, settings: settings)
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
                    let harness = IntakeHarness(port: port.withLock { $0 }, database: runtime.database,
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
    }

    /// An API key of `role` (integrators need `channel`).
    func key(_ role: Role, channel: String? = nil, department: String? = nil) async throws -> String {
        try await ApiKeyAdmin.create(name: "\(role.rawValue) \(UUID().uuidString.prefix(6))", role: role,
                                     channel: channel, department: department, database: database,
                                     logger: logger).key
    }

    /// An HTTP request to the harness: (status, content type, body).
    func request(_ method: String, _ path: String, key: String? = nil, headers: [String: String] = [:],
                 body: Data? = nil) async throws -> (status: Int, contentType: String, body: Data) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        // URLSession sends at most six requests to a host at once and counts a request's time from when it was
        // queued: 200 concurrent ones on a loaded two-core CI machine can wait longer than the default 60 s.
        request.timeoutInterval = 300
        if let key { request.setValue("Bearer " + key, forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpBody = body
            if headers["Content-Type"] == nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Content-Type") ?? "", data)
    }

    /// POST /v1/appeals with an idempotency key.
    func post(_ body: Data, key: String, idempotencyKey: String? = UUID().uuidString)
        async throws -> (status: Int, contentType: String, body: Data) {
        try await request("POST", "/v1/appeals", key: key,
                          headers: idempotencyKey.map { ["Idempotency-Key": $0] } ?? [:], body: body)
    }

    func count(_ sql: String) async throws -> Int {
        try await database.withConnection { connection in
            var value = 0
            for try await (count) in try await connection.guardedQuery(PostgresQuery(unsafeSQL: sql), logger: logger)
                .decode(Int.self) { value = count }
            return value
        }
    }

    /// A native submission body.
    static func appealJSON(channel: String = "hotline", title: String = "小区噪音扰民",
                           body: String = "襄城区檀溪路128号小区夜间施工噪音很大，影响休息，请尽快处理。",
                           phone: String = "13800138000", name: String? = "张三", externalId: String? = nil,
                           extra: [String: Any] = [:]) -> Data {
        var object: [String: Any] = [
            "channel": channel, "title": title, "body": body, "submitted_at": "2026-11-20T08:00:00Z",
            "kind": "complaint",
            "location": ["district": "襄城区", "address": "檀溪路128号", "latitude": 32.01, "longitude": 112.13],
            "citizen": ["phone": phone, "anonymous": false].merging(name.map { ["name": $0] } ?? [:]) { $1 },
            "attachments": ["https://example.com/a.jpg"],
        ]
        if let externalId { object["external_id"] = externalId }
        object.merge(extra) { $1 }
        return try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
}

extension TestBroker {
    /// The password of the integrators' test users (long enough for a password file).
    static let integratorPassword = "integrator-secret-1"

    /// Creates the broker user `integrator.<channel>` (password `integratorPassword`) with DESIGN §3's permissions
    /// in the URL's vhost: configure nothing, write minhu.intake, read its outbound queue; with `topicPermissions`,
    /// the broker itself refuses routing keys of other channels.
    static func createIntegrator(channel: String, in url: AMQPURL, topicPermissions: Bool = false) async throws -> AMQPURL {
        let broker = try fromEnvironment()
        let user = "integrator.\(channel)"
        // Users are broker-wide and tests run in parallel: two first PUTs of one user can race, and the loser gets
        // 400 user_already_exists. A later PUT updates the user, so retry.
        var attempt = 0
        while true {
            do {
                try await broker.management("PUT", "/api/users/\(user)",
                                            body: ["password": integratorPassword, "tags": ""])
                break
            } catch {
                attempt += 1
                if attempt >= 5 { throw error }
                try await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
        let vhost = url.vhost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? url.vhost
        try await broker.management("PUT", "/api/permissions/\(vhost)/\(user)",
                                    body: ["configure": "^$", "write": "^minhu\\.intake$",
                                           "read": "^outbound\\.\(channel)$"])
        if topicPermissions {
            // What `minhu topology permissions` grants an integrator.
            let topology = MinhuTopology.make(departments: [], channels: [channel])
            for topic in BrokerPermissions.integrator(channel, topology: topology).topics {
                try await broker.management("PUT", "/api/topic-permissions/\(vhost)/\(user)",
                                            body: ["exchange": topic.exchange, "write": topic.write,
                                                   "read": topic.read])
            }
        }
        return AMQPURL(host: url.host, port: url.port, user: user, password: integratorPassword, vhost: url.vhost)
    }
}
