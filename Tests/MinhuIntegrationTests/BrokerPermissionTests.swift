import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import Testing

/// docs/operations.md's least-privilege broker user for a service, applied to the real broker: the service declares
/// its part of the topology and dead-letters its own messages, but cannot bind its queue to another queue's dead
/// letters (integrator appeals with full phone numbers) nor publish into another service's `dead.` queue.
@Suite("Broker: a service user's permissions from docs/operations.md")
struct BrokerPermissionTests {
    let logger = Logger(label: "test")

    @Test("minhu-reporting's user declares its part and dead-letters its own; other queues' dead letters are refused")
    func reportingUser() async throws {
        try await TestBroker.withVhost { url in
            let topology = MinhuTopology.make(departments: [], channels: ["wechat"])
            try await TopologyDeclarer.declare(topology, url: url)
            let broker = try TestBroker.fromEnvironment()
            let user = "minhu-reporting-t\(UUID().uuidString.lowercased().prefix(8))"
            let vhost = url.vhost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? url.vhost
            try await broker.management("PUT", "/api/users/\(user)", body: ["password": "secret", "tags": ""])
            defer { Task { _ = try? await broker.management("DELETE", "/api/users/\(user)", body: nil) } }
            // The commands of docs/operations.md for minhu-reporting, through the management API.
            let own = "^((dead\\.)?reporting\\.events|minhu\\.(events|dead))$"
            try await broker.management("PUT", "/api/permissions/\(vhost)/\(user)",
                                        body: ["configure": own, "write": own, "read": own])
            try await broker.management("PUT", "/api/topic-permissions/\(vhost)/\(user)",
                                        body: ["exchange": "minhu.dead", "write": "^reporting\\.events$",
                                               "read": "^reporting\\.events$"])
            let asService = url.with(user: user, password: "secret")

            // Its own part: declared (the dead queue's binding to minhu.dead included).
            let part = MinhuTopology.part(of: topology, forService: "reporting")
            try await TopologyDeclarer.declare(part, url: asService)
            let publisher = AMQPPublisher(url: asService, logger: logger)
            let copy = OutgoingMessage(exchange: MinhuTopology.dead, routingKey: "reporting.events", type: "t",
                                       timestamp: Date(), appID: "minhu-reporting", body: Data("{}".utf8))
            #expect(try await publisher.publish([copy]) == [.confirmed])

            // Another queue's dead letters: neither bound to its queue nor written into.
            var queue = try #require(part.queues.first { $0.name == "reporting.events" })
            queue.bindings = [.init(exchange: MinhuTopology.dead, routingKey: "intake.channels")]
            await #expect(throws: (any Error).self) {
                try await TopologyDeclarer.declare(Topology(exchanges: [], queues: [queue]), url: asService)
            }
            var forged = copy
            forged.routingKey = "intake.channels"
            await #expect(throws: PublishRefused.self) { _ = try await publisher.publish([forged]) }
            await publisher.shutdown()
        }
    }

    @Test("minhu-evaluation's user binds its queue to survey answers on minhu.intake, not to integrators' appeals")
    func evaluationUser() async throws {
        try await TestBroker.withVhost { url in
            let topology = MinhuTopology.make(departments: [], channels: ["wechat"])
            try await TopologyDeclarer.declare(topology, url: url)
            let broker = try TestBroker.fromEnvironment()
            let user = "minhu-evaluation-t\(UUID().uuidString.lowercased().prefix(8))"
            let vhost = url.vhost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? url.vhost
            try await broker.management("PUT", "/api/users/\(user)", body: ["password": "secret", "tags": ""])
            defer { Task { _ = try? await broker.management("DELETE", "/api/users/\(user)", body: nil) } }
            // The commands of docs/operations.md for minhu-evaluation, through the management API.
            let queues = "(dead\\.)?evaluation\\.(events|feedback)"
            try await broker.management("PUT", "/api/permissions/\(vhost)/\(user)", body: [
                "configure": "^(\(queues)|minhu\\.(events|intake|outbound|dead))$",
                "write": "^(\(queues)|minhu\\.(events|outbound|dead))$",
                "read": "^(\(queues)|minhu\\.(events|intake|dead))$"])
            try await broker.management("PUT", "/api/topic-permissions/\(vhost)/\(user)", body: [
                "exchange": "minhu.dead", "write": "^evaluation\\.(events|feedback)$",
                "read": "^evaluation\\.(events|feedback)$"])
            try await broker.management("PUT", "/api/topic-permissions/\(vhost)/\(user)", body: [
                "exchange": "minhu.intake", "write": "^$", "read": "^\\*\\.survey-answer$"])
            let asService = url.with(user: user, password: "secret")

            // Its own part, evaluation.feedback bound to minhu.intake with *.survey-answer included.
            let part = MinhuTopology.part(of: topology, forService: "evaluation")
            #expect(part.queues.contains { queue in
                queue.bindings.contains { $0.exchange == MinhuTopology.intake && $0.routingKey == "*.survey-answer" }
            })
            try await TopologyDeclarer.declare(part, url: asService)

            // Integrators' appeals (full phone numbers) cannot be bound to its queue.
            var queue = try #require(part.queues.first { $0.name == "evaluation.feedback" })
            queue.bindings = [.init(exchange: MinhuTopology.intake, routingKey: "*.appeal")]
            await #expect(throws: (any Error).self) {
                try await TopologyDeclarer.declare(Topology(exchanges: [], queues: [queue]), url: asService)
            }
        }
    }
}
