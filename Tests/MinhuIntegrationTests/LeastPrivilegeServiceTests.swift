import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuStorage
import Testing

/// Every service executable run as compose runs it: its own broker user with `BrokerPermissions`' grant and its
/// own database login in its role (`LoginRole`), both passwords from files. Each must start (schema check,
/// topology declaration, consumers) and commit an event of its queue: the event's inbox row appears, and no dead
/// letter. A privilege the service lacks would fail here, not first in a deployment.
@Suite(.enabled(if: TestDatabase.isConfigured && ProcessInfo.processInfo.environment["MINHU_TEST_AMQP_URL"] != nil,
                "no test database or broker"))
struct LeastPrivilegeServiceTests {
    let logger = TestDatabase.logger

    /// An event each service's queue takes, and who publishes it.
    static let events: [String: (type: String, producer: String)] = [
        "intake": ("appeal.classified", "minhu-dispatcher"),
        "dispatcher": ("appeal.received", "minhu-intake"),
        "deadlines": ("appeal.dispatched", "minhu-dispatcher"),
        "supervision": ("appeal.received", "minhu-intake"),
        "evaluation": ("appeal.replied", "minhu-dispatcher"),
        "reporting": ("appeal.received", "minhu-intake"),
    ]

    /// The `MessageExamples` event of `type`, as `producer` publishes it.
    static func event(_ type: String, producer: String) throws -> OutgoingMessage {
        let example = try #require(try MessageExamples.all().first { $0.messageType == type })
        return OutgoingMessage(exchange: MinhuTopology.events, routingKey: type, type: type, timestamp: Date(),
                               correlationID: "least-privilege", appID: producer,
                               schemaVersion: Swift.type(of: example.value).schemaVersion, body: example.json)
    }

    @Test("starts and commits an event as its own broker user and database login, passwords from files",
          arguments: ["intake", "dispatcher", "deadlines", "supervision", "evaluation", "reporting"])
    func service(_ service: String) async throws {
        let role = try #require(ServiceRole(rawValue: service))
        let (type, producer) = try #require(Self.events[service])
        let topology = MinhuTopology.make(departments: ["housing"], channels: ["wechat"])
        let folder = NSTemporaryDirectory() + "minhu-lp-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await TestBroker.withVhost { url in
            try await TopologyDeclarer.declare(topology, url: url)
            let grant = BrokerPermissions.service(service, topology: topology)
            try await BrokerPermissionTests.withUsers([grant], url: url) { users in
                let brokerUser = try #require(users[grant.user])
                try Data("\(brokerUser.password)\n".utf8).write(to: URL(fileURLWithPath: folder + "/amqp"))
                try Data("database-password-1\n".utf8).write(to: URL(fileURLWithPath: folder + "/db"))
                try await TestDatabase.withConfiguration { owner in
                    let login = LoginRoleTests.freshName("\(service)_app")
                    var loginConfiguration = owner
                    loginConfiguration.username = login
                    let asLogin = loginConfiguration
                    try await TestDatabase.withRunningDatabase(owner) { database in
                        _ = try await database.withConnection { connection in
                            try await LoginRole.apply(name: login, service: role,
                                                      verifier: ScramVerifier.make(password: "database-password-1"),
                                                      on: connection, logger: logger)
                        }
                        do {
                            try await run(service, as: brokerUser, asLogin, folder: folder, database: database,
                                          event: try Self.event(type, producer: producer), url: url)
                        } catch {
                            await LoginRoleTests.drop(login, on: database)
                            throw error
                        }
                        await LoginRoleTests.drop(login, on: database)
                    }
                }
            }
        }
    }

    private func run(_ service: String, as brokerUser: AMQPURL, _ login: DatabaseConfiguration, folder: String,
                     database: MinhuDatabase, event: OutgoingMessage, url: AMQPURL) async throws {
        // The URLs name the users only; a wrong password in the AMQP URL shows that the file's is the one used.
        let environment = [
            "PATH": "/usr/bin:/bin",
            "MINHU_AMQP_URL": brokerUser.with(user: brokerUser.user, password: "not-this-one").testURL,
            "MINHU_AMQP_PASSWORD_FILE": folder + "/amqp",
            "MINHU_DATABASE_URL": login.testURL, "MINHU_DATABASE_PASSWORD_FILE": folder + "/db",
            "MINHU_HTTP_HOST": "127.0.0.1", "MINHU_HTTP_PORT": "0", "MINHU_AMQP_HEARTBEAT": "2",
            "MINHU_PUBLIC_BASE_URL": "https://12345.example.gov.cn", "MINHU_LOG_LEVEL": "info",
        ]
        let publisher = AMQPPublisher(url: url, logger: logger)
        #expect(allConfirmed(try await publisher.publish([event])))
        await publisher.shutdown()
        let queue = MinhuTopology.serviceQueues[service]!.first { $0.hasSuffix(".events") }!
        try await ChildProcess.with("minhu-\(service)", environment: environment) { process in
            try await expectEventually(timeout: .seconds(120), "minhu-\(service) committed the event") {
                try await OutboxFixtures.inboxCount(consumer: queue, database: database, logger: logger) == 1
            }
            let dead = try await TopologyDeclarer.status(of: ["dead.\(queue)"], url: url)["dead.\(queue)"]?.messages
            #expect(dead == 0, "\(process.log.suffix(3000))")
            #expect(!process.log.contains("permission denied"), "\(process.log.suffix(3000))")
            #expect(!process.log.contains("ACCESS_REFUSED"), "\(process.log.suffix(3000))")
            process.signal(SIGTERM)
            let status = await process.waitForExit(timeout: .seconds(60))
            #expect(status == 0, "\(process.log.suffix(3000))")
        }
    }
}
