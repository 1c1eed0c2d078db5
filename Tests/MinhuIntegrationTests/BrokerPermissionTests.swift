import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import Testing

/// `BrokerPermissions` (what `minhu topology permissions` prints) applied to the real broker: each service, a
/// department and an integrator can do what the code needs, and nothing that would let them read or forge another
/// party's messages (integrators' appeals carry full phone numbers).
@Suite("Broker: least-privilege users from BrokerPermissions")
struct BrokerPermissionTests {
    let logger = Logger(label: "broker-permission-test")
    let topology = MinhuTopology.make(departments: ["housing", "transport"], channels: ["wechat", "web"])

    /// Creates a user for each of `grants` (a unique name per test run: users are global), applies the grant in
    /// the vhost through the management API, runs `body` with each original user name's URL, and deletes them.
    static func withUsers<T>(_ grants: [BrokerPermissions.Grant], url: AMQPURL,
                             _ body: ([String: AMQPURL]) async throws -> T) async throws -> T {
        let broker = try TestBroker.fromEnvironment()
        let vhost = url.vhost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? url.vhost
        let suffix = "-t\(UUID().uuidString.lowercased().prefix(8))"
        var urls: [String: AMQPURL] = [:]
        for grant in grants {
            let user = grant.user + suffix
            let password = "secret-password-1" // SecretFile's rules: a password file may hold it too
            urls[grant.user] = url.with(user: user, password: password)
            try await broker.management("PUT", "/api/users/\(user)", body: ["password": password, "tags": ""])
            try await broker.management("PUT", "/api/permissions/\(vhost)/\(user)",
                                        body: ["configure": grant.configure, "write": grant.write, "read": grant.read])
            for topic in grant.topics {
                try await broker.management("PUT", "/api/topic-permissions/\(vhost)/\(user)",
                                            body: ["exchange": topic.exchange, "write": topic.write,
                                                   "read": topic.read])
            }
        }
        func cleanUp() async {
            for grant in grants {
                _ = try? await broker.management("DELETE", "/api/users/\(grant.user + suffix)", body: nil)
            }
        }
        do {
            let result = try await body(urls)
            await cleanUp()
            return result
        } catch {
            await cleanUp()
            throw error
        }
    }

    /// True when the broker lets `url`'s user consume `queue`; false when it refuses (403).
    func canConsume(_ queue: String, as url: AMQPURL) async throws -> Bool {
        let consumer = AMQPConsumer(url: url, queue: queue, prefetch: 1, logger: logger)
        let deadline = ContinuousClock.now + .seconds(20)
        var answer: Bool?
        while answer == nil, ContinuousClock.now < deadline {
            if consumer.isConnected {
                answer = true
            } else if case .brokerRefused(403, _)? = consumer.lastConnectError {
                answer = false
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        await consumer.shutdown()
        guard let answer else { throw TestEnvironmentError("no answer consuming \(queue) within 20 s") }
        return answer
    }

    /// True when the broker accepts the publish (confirmed, or returned as unroutable); false when it refuses it.
    func canPublish(_ exchange: String, _ routingKey: String, as url: AMQPURL,
                    userID: String? = nil) async throws -> Bool {
        let publisher = AMQPPublisher(url: url, logger: logger)
        let message = OutgoingMessage(exchange: exchange, routingKey: routingKey, type: "test", timestamp: Date(),
                                      appID: "test", userID: userID, body: Data("{}".utf8))
        var accepted = false
        do {
            switch try await publisher.publish([message]).first {
            case .confirmed?, .returned?: accepted = true
            default: accepted = false
            }
        } catch is PublishRefused {
            accepted = false
        } catch {
            await publisher.shutdown()
            throw error
        }
        await publisher.shutdown()
        return accepted
    }

    /// A routing key each exchange a service publishes to accepts.
    func sampleKey(_ exchange: String, service: String) -> String {
        switch exchange {
        case MinhuTopology.dispatch: "housing"
        case MinhuTopology.outbound: "wechat"
        case MinhuTopology.dead: MinhuTopology.serviceQueues[service]![0]
        default: "appeal.received"
        }
    }

    @Test("each service declares its part, consumes its queues, publishes where it must; not others' queues or keys")
    func services() async throws {
        try await TestBroker.withVhost { url in
            try await TopologyDeclarer.declare(topology, url: url)
            let grants = MinhuTopology.serviceQueues.keys.sorted()
                .map { BrokerPermissions.service($0, topology: topology) }
            try await Self.withUsers(grants, url: url) { urls in
                for service in MinhuTopology.serviceQueues.keys.sorted() {
                    let asService = try #require(urls[BrokerPermissions.serviceUser(service)])
                    let part = MinhuTopology.part(of: topology, forService: service)
                    try await TopologyDeclarer.declare(part, url: asService)
                    for queue in MinhuTopology.serviceQueues[service]! {
                        #expect(try await canConsume(queue, as: asService), "\(service) cannot consume \(queue)")
                    }
                    for exchange in MinhuTopology.servicePublishes[service]! {
                        let key = sampleKey(exchange, service: service)
                        #expect(try await canPublish(exchange, key, as: asService),
                                "\(service) cannot publish \(exchange) \(key)")
                    }
                    // Another service's queue and dead letters: neither read, nor bound, nor forged.
                    let other = service == "intake" ? "reporting.events" : "intake.channels"
                    #expect(try await !canConsume(other, as: asService), "\(service) consumes \(other)")
                    #expect(try await !canPublish(MinhuTopology.dead, other, as: asService),
                            "\(service) forges \(other)")
                    var own = try #require(topology.queue(named: MinhuTopology.serviceQueues[service]![0]))
                    own.bindings = [.init(exchange: MinhuTopology.dead, routingKey: other)]
                    await #expect(throws: (any Error).self, "\(service) binds dead letters of \(other)") {
                        try await TopologyDeclarer.declare(Topology(exchanges: [], queues: [own]), url: asService)
                    }
                }
                // minhu-evaluation reads minhu.intake for survey answers only, not integrators' appeals.
                let evaluation = try #require(urls["minhu-evaluation"])
                var feedback = try #require(topology.queue(named: "evaluation.feedback"))
                feedback.bindings = [.init(exchange: MinhuTopology.intake, routingKey: "*.appeal")]
                await #expect(throws: (any Error).self) {
                    try await TopologyDeclarer.declare(Topology(exchanges: [], queues: [feedback]), url: evaluation)
                }
            }
        }
    }

    @Test("a department reads its queue and publishes its own actions only; an integrator its own channel's keys")
    func departmentsAndIntegrators() async throws {
        try await TestBroker.withVhost { url in
            try await TopologyDeclarer.declare(topology, url: url)
            let grants = [BrokerPermissions.department("housing"),
                          BrokerPermissions.integrator("wechat", topology: topology)]
            try await Self.withUsers(grants, url: url) { urls in
                let housing = try #require(urls["dept-housing"])
                #expect(try await canConsume("dept.housing", as: housing))
                #expect(try await !canConsume("dept.transport", as: housing))
                #expect(try await canPublish(MinhuTopology.department, "housing.signed", as: housing))
                #expect(try await !canPublish(MinhuTopology.department, "transport.signed", as: housing))
                #expect(try await !canPublish(MinhuTopology.events, "appeal.replied", as: housing))

                let wechat = try #require(urls["integrator.wechat"])
                let user = wechat.user
                #expect(try await canPublish(MinhuTopology.intake, "wechat.appeal", as: wechat, userID: user))
                #expect(try await canPublish(MinhuTopology.intake, "wechat.survey-answer", as: wechat, userID: user))
                #expect(try await !canPublish(MinhuTopology.intake, "web.appeal", as: wechat, userID: user))
                #expect(try await canConsume("outbound.wechat", as: wechat))
                #expect(try await !canConsume("outbound.web", as: wechat))
                #expect(try await !canConsume("intake.channels", as: wechat))
            }
        }
    }

    @Test("the generated expressions match exactly the names given, metacharacters escaped")
    func expressions() throws {
        let pattern = BrokerPermissions.exactly(["minhu.dead", "*.appeal", "minhu.dead"])
        #expect(pattern == "^(\\*\\.appeal|minhu\\.dead)$")
        let regex = try Regex(pattern)
        #expect(try regex.wholeMatch(in: "minhu.dead") != nil && regex.wholeMatch(in: "*.appeal") != nil)
        #expect(try regex.wholeMatch(in: "minhuxdead") == nil && regex.wholeMatch(in: "wechat.appeal") == nil)
        #expect(BrokerPermissions.exactly([]) == "^$")
        let lines = BrokerPermissions.department("housing").rabbitmqctl(vhost: "minhu")
        #expect(lines.contains("rabbitmqctl set_permissions -p 'minhu' 'dept-housing' '^$' '^(minhu\\.department)$' "
                               + "'^(dept\\.housing)$'"), "\(lines)")
        let all = BrokerPermissions.all(topology: topology).map(\.user)
        #expect(all.contains("integrator.web") && all.contains("dept-transport") && all.contains("minhu-ops"))
        #expect(all.filter { $0.hasPrefix("minhu-") }.count == MinhuTopology.serviceQueues.count + 1)
    }
}
