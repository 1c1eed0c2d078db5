/// The one definition of Minhu's AMQP topology (DESIGN §3): exchanges, every service's queues (also of services
/// not built yet), department and channel queues, and a dead-letter queue for each of them.
///
/// Every queue is a durable quorum queue with `x-delivery-limit`, dead-lettering at-least-once to `minhu.dead`
/// with its own name as routing key, and `x-overflow: reject-publish` (required by at-least-once dead-lettering,
/// so nothing is dropped on the way). `dead.<queue>` queues have no dead-lettering of their own.
///
/// ```swift
/// let topology = MinhuTopology.make(departments: ["housing"], channels: ["wechat"])
/// try await TopologyDeclarer.declare(topology, url: url)
/// ```
public enum MinhuTopology {
    public static let events = "minhu.events"
    public static let intake = "minhu.intake"
    public static let dispatch = "minhu.dispatch"
    public static let department = "minhu.department"
    public static let outbound = "minhu.outbound"
    public static let dead = "minhu.dead"

    /// Deliveries of one message before the broker dead-letters it (a crash loop).
    public static let deliveryLimit: Int32 = 5

    /// The department actions a department may publish as `<code>.<action>` on `minhu.department`.
    public static let departmentActions = ["signed", "returned", "progress", "awaiting-citizen",
                                           "extension-requested", "replied"]

    /// Which events each service's `<service>.events` queue receives (`#` = all, for reporting).
    public static let eventBindings: [String: [String]] = [
        "intake.events": ["appeal.classified", "appeal.rejected", "appeal.dispatched", "appeal.signed",
                          "appeal.returned", "appeal.progressed", "appeal.awaiting_citizen",
                          "appeal.extension_requested", "appeal.replied", "appeal.reopened",
                          "appeal.dissatisfied", "appeal.closed", "deadline.changed", "evaluation.recorded",
                          "survey.requested"],
        "dispatcher.events": ["appeal.received", "appeal.supplemented", "appeal.reopened", "deadline.changed"],
        "deadlines.events": ["appeal.dispatched", "appeal.signed", "appeal.returned", "appeal.progressed",
                             "appeal.awaiting_citizen", "appeal.supplemented", "appeal.extension_requested",
                             "appeal.replied", "appeal.rejected", "appeal.closed", "appeal.reopened"],
        "supervision.events": ["deadline.warning", "deadline.overdue", "appeal.returned", "appeal.dissatisfied",
                               "hotspot.detected", "appeal.received", "appeal.replied", "report.published"],
        "evaluation.events": ["appeal.replied", "appeal.closed"],
        "reporting.events": ["#"],
    ]

    /// Queue names each service consumes.
    public static let serviceQueues: [String: [String]] = [
        "intake": ["intake.channels", "intake.events"],
        "dispatcher": ["dispatcher.events", "dispatcher.department"],
        "deadlines": ["deadlines.events"],
        "supervision": ["supervision.events"],
        "evaluation": ["evaluation.events", "evaluation.feedback"],
        "reporting": ["reporting.events"],
    ]

    /// Queues whose consumers authenticate each message's sender by its `user_id` (integrators, departments): a
    /// replay of their dead letters must keep the sender (`DeadLetter.replayCopy(to:keepSender:)`).
    public static let senderCheckedQueues: Set<String> = ["intake.channels", "evaluation.feedback",
                                                          "dispatcher.department"]
    /// The exchanges each service publishes to (declared with its part of the topology).
    public static let servicePublishes: [String: [String]] = [
        "intake": [events, outbound, dead],
        "dispatcher": [events, dispatch, dead],
        "deadlines": [events, dispatch, dead],
        "supervision": [events, dispatch, dead],
        "evaluation": [events, outbound, dead],
        "reporting": [events, dead],
    ]

    /// The queue of a department.
    public static func departmentQueue(_ code: String) -> String { "dept.\(code)" }
    /// The outbound queue of a channel.
    public static func outboundQueue(_ channel: String) -> String { "outbound.\(channel)" }
    /// The dead-letter queue of a queue.
    public static func deadQueue(_ queue: String) -> String { "dead.\(queue)" }

    /// Arguments of a working queue: quorum, delivery limit, at-least-once dead-lettering.
    public static func workingQueueArguments(_ name: String) -> [String: Topology.QueueArgument] {
        [
            "x-queue-type": .string("quorum"),
            "x-delivery-limit": .int(deliveryLimit),
            "x-dead-letter-exchange": .string(dead),
            "x-dead-letter-routing-key": .string(name),
            "x-dead-letter-strategy": .string("at-least-once"),
            "x-overflow": .string("reject-publish"),
        ]
    }

    /// Arguments of a dead-letter queue: quorum, nothing else.
    public static let deadQueueArguments: [String: Topology.QueueArgument] = ["x-queue-type": .string("quorum")]

    /// The whole topology for a jurisdiction's departments and channels.
    public static func make(departments: [String], channels: [String]) -> Topology {
        let exchanges: [Topology.Exchange] = [
            .init(name: events, kind: .topic), .init(name: intake, kind: .topic),
            .init(name: dispatch, kind: .direct), .init(name: department, kind: .topic),
            .init(name: outbound, kind: .topic), .init(name: dead, kind: .topic),
        ]
        var working: [(String, [Topology.Binding])] = []
        for (queue, keys) in eventBindings.sorted(by: { $0.key < $1.key }) {
            working.append((queue, keys.map { .init(exchange: events, routingKey: $0) }))
        }
        working.append(("intake.channels", [.init(exchange: intake, routingKey: "*.appeal"),
                                            .init(exchange: intake, routingKey: "*.supplement")]))
        working.append(("evaluation.feedback", [.init(exchange: intake, routingKey: "*.survey-answer")]))
        working.append(("dispatcher.department",
                        departmentActions.map { .init(exchange: department, routingKey: "*.\($0)") }))
        for code in departments.sorted() {
            working.append((departmentQueue(code), [.init(exchange: dispatch, routingKey: code)]))
        }
        for channel in channels.sorted() {
            working.append((outboundQueue(channel), [.init(exchange: outbound, routingKey: channel)]))
        }
        var queues: [Topology.Queue] = []
        for (name, bindings) in working {
            queues.append(.init(name: name, arguments: workingQueueArguments(name), bindings: bindings))
            queues.append(.init(name: deadQueue(name), arguments: deadQueueArguments,
                                bindings: [.init(exchange: dead, routingKey: name)]))
        }
        return Topology(exchanges: exchanges, queues: queues)
    }

    /// The part of `topology` one service declares: its own queues, their dead-letter queues, and the
    /// exchanges it consumes from or publishes to.
    public static func part(of topology: Topology, forService service: String) -> Topology {
        let own = serviceQueues[service] ?? []
        let names = Set(own + own.map(deadQueue))
        return topology.subset(queues: names, extraExchanges: Set(servicePublishes[service] ?? []))
    }
}
