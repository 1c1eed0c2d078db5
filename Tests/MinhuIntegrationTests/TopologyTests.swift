import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import Testing

@Suite("Topology")
struct TopologyTests {
    let topology = MinhuTopology.make(departments: ["housing", "transport"], channels: ["wechat", "web"])

    @Test("AMQP URLs: credentials are percent-decoded once; absent ones are guest's")
    func amqpURLCredentials() throws {
        let url = try AMQPURL(parsing: "amqp://minhu%2Dintake:p%25ss%40w%2Frd@broker.example:5673/minhu%2Fcity")
        #expect(url.user == "minhu-intake" && url.password == "p%ss@w/rd")
        #expect(url.host == "broker.example" && url.port == 5673 && url.vhost == "minhu/city")
        let literal = try AMQPURL(parsing: "amqp://u:%2541@h/v")  // a password that is literally "%41"
        #expect(literal.password == "%41")
        let anonymous = try AMQPURL(parsing: "amqp://h")
        #expect(anonymous.user == "guest" && anonymous.password == "guest" && anonymous.vhost == "/")
    }

    @Test("every event type in MinhuModels reaches at least one queue")
    func everyEventReachesAQueue() {
        for type in EventType.allCases {
            let queues = topology.queues(reachedBy: MinhuTopology.events, routingKey: type.rawValue)
            #expect(!queues.isEmpty, "\(type.rawValue) reaches no queue")
            #expect(queues.contains("reporting.events"))
        }
    }

    @Test("every event type has a consumer besides reporting, except those only reports need")
    func eventsHaveServiceConsumers() {
        let reportOnly: Set<String> = ["supervision.opened", "supervision.escalated", "supervision.resolved"]
        for type in EventType.allCases where !reportOnly.contains(type.rawValue) {
            let queues = topology.queues(reachedBy: MinhuTopology.events, routingKey: type.rawValue)
            #expect(queues.count >= 2, "\(type.rawValue) reaches only \(queues)")
        }
    }

    @Test("working queues are quorum queues with a delivery limit and at-least-once dead-lettering")
    func queueArguments() {
        for queue in topology.queues where !queue.name.hasPrefix("dead.") {
            #expect(queue.arguments["x-queue-type"] == .string("quorum"))
            #expect(queue.arguments["x-delivery-limit"] == .int(MinhuTopology.deliveryLimit))
            #expect(queue.arguments["x-dead-letter-exchange"] == .string(MinhuTopology.dead))
            #expect(queue.arguments["x-dead-letter-routing-key"] == .string(queue.name))
            #expect(queue.arguments["x-dead-letter-strategy"] == .string("at-least-once"))
            #expect(queue.arguments["x-overflow"] == .string("reject-publish"))
            #expect(topology.queue(named: "dead.\(queue.name)") != nil, "no dead-letter queue for \(queue.name)")
        }
    }

    @Test("routing of intake, department and dispatch keys")
    func routing() {
        #expect(topology.queues(reachedBy: MinhuTopology.intake, routingKey: "wechat.appeal") == ["intake.channels"])
        #expect(topology.queues(reachedBy: MinhuTopology.intake, routingKey: "wechat.survey-answer") == ["evaluation.feedback"])
        #expect(topology.queues(reachedBy: MinhuTopology.department, routingKey: "housing.signed") == ["dispatcher.department"])
        #expect(topology.queues(reachedBy: MinhuTopology.department, routingKey: "housing.bogus").isEmpty)
        #expect(topology.queues(reachedBy: MinhuTopology.dispatch, routingKey: "housing") == ["dept.housing"])
        #expect(topology.queues(reachedBy: MinhuTopology.outbound, routingKey: "web") == ["outbound.web"])
        #expect(topology.queues(reachedBy: MinhuTopology.dead, routingKey: "dispatcher.events") == ["dead.dispatcher.events"])
    }

    @Test("topic patterns", arguments: [
        ("#", "a.b.c", true), ("*.appeal", "wechat.appeal", true), ("*.appeal", "a.b.appeal", false),
        ("appeal.*", "appeal", false), ("a.#.c", "a.c", true), ("a.#.c", "a.x.y.c", true), ("a.b", "a.b.c", false),
    ])
    func topicPatterns(pattern: String, key: String, expected: Bool) {
        #expect(TopicPattern.matches(pattern: pattern, routingKey: key) == expected)
    }

    @Test("declared on a real broker, every event type is routed and confirmed")
    func everyEventIsConfirmedOnTheBroker() async throws {
        try await TestBroker.withVhost { url in
            try await TopologyDeclarer.declare(topology, url: url)
            let publisher = AMQPPublisher(url: url, logger: Logger(label: "test"))
            let messages = EventType.allCases.map { type in
                OutgoingMessage(exchange: MinhuTopology.events, routingKey: type.rawValue, type: type.rawValue,
                                timestamp: Date(), appID: "test", body: Data("{}".utf8))
            }
            let outcomes = try await publisher.publish(messages)
            await publisher.shutdown()
            #expect(outcomes == Array(repeating: .confirmed, count: messages.count))
            // Declaring twice is idempotent.
            try await TopologyDeclarer.declare(topology, url: url)
        }
    }
}
