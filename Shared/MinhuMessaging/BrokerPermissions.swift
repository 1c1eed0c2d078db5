import Foundation

/// The least-privilege broker permissions of every Minhu user, derived from the one topology definition
/// (`MinhuTopology`), so that they cannot drift from what the code declares, binds, consumes and publishes.
///
/// RabbitMQ's rules: declaring an exchange or queue needs *configure* on it; a queue that dead-letters also needs
/// *read* on itself and *write* on its dead-letter exchange; binding needs *write* on the queue and *read* on the
/// exchange; publishing needs *write* on the exchange; consuming needs *read* on the queue. Topic permissions
/// limit the routing keys a user may publish (*write*) or bind with (*read*) on a topic exchange.
///
/// ```swift
/// let grants = BrokerPermissions.all(topology: MinhuTopology.make(departments: ["housing"], channels: ["wechat"]))
/// print(grants.flatMap { $0.rabbitmqctl(vhost: "minhu") }.joined(separator: "\n"))
/// ```
public enum BrokerPermissions {
    /// One user's permissions in the vhost.
    public struct Grant: Sendable, Hashable {
        /// A topic permission on one exchange.
        public struct TopicGrant: Sendable, Hashable {
            public var exchange: String
            public var write: String
            public var read: String
        }

        public var user: String
        /// What the user is for, as a comment above its commands.
        public var purpose: String
        public var configure: String
        public var write: String
        public var read: String
        public var topics: [TopicGrant]

        /// `rabbitmqctl set_permissions` and `set_topic_permissions` for this user, arguments single-quoted.
        public func rabbitmqctl(vhost: String) -> [String] {
            var lines = ["# \(user): \(purpose)",
                         "rabbitmqctl set_permissions -p \(quoted(vhost)) \(quoted(user)) \(quoted(configure)) "
                             + "\(quoted(write)) \(quoted(read))"]
            for topic in topics {
                lines.append("rabbitmqctl set_topic_permissions -p \(quoted(vhost)) \(quoted(user)) "
                             + "\(quoted(topic.exchange)) \(quoted(topic.write)) \(quoted(topic.read))")
            }
            return lines
        }

        private func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    }

    /// Matches nothing: the user may not do this at all.
    public static let nothing = "^$"

    /// The broker user name of a service (`minhu-intake`).
    public static func serviceUser(_ service: String) -> String { "minhu-\(service)" }
    /// The broker user name of a department (`dept-housing`).
    public static func departmentUser(_ code: String) -> String { "dept-\(code)" }
    /// The broker user name of a channel's integrator (`integrator.wechat`); intake checks messages' `user_id`
    /// against it.
    public static func integratorUser(_ channel: String) -> String { "integrator.\(channel)" }
    /// The operations user of `minhu deadletters`.
    public static let operationsUser = "minhu-ops"

    /// A regular expression that matches exactly `names`.
    public static func exactly(_ names: [String]) -> String {
        let unique = Array(Set(names)).sorted()
        guard !unique.isEmpty else { return nothing }
        return "^(" + unique.map(escaped).joined(separator: "|") + ")$"
    }

    /// `text` with the regular-expression metacharacters escaped (`*` in a binding key is a literal here).
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\^$.|?*+()[]{}".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// A service: its queues and their `dead.` queues, the exchanges they are bound to and those it publishes to.
    /// On `minhu.dead` it may only publish and bind its own queues' names; on another topic exchange it reads
    /// from but does not publish to (`minhu.intake`, `minhu.department`), only its own binding keys.
    public static func service(_ service: String, topology: Topology) -> Grant {
        let part = MinhuTopology.part(of: topology, forService: service)
        let own = MinhuTopology.serviceQueues[service] ?? []
        let queues = part.queues.map(\.name)
        let publishes = MinhuTopology.servicePublishes[service] ?? []
        let boundFrom = part.queues.flatMap { $0.bindings.map(\.exchange) }
        var topics = [Grant.TopicGrant(exchange: MinhuTopology.dead, write: exactly(own), read: exactly(own))]
        let topicExchanges = Set(topology.exchanges.filter { $0.kind == .topic }.map(\.name))
        for exchange in Set(boundFrom).subtracting(publishes).subtracting([MinhuTopology.events]).sorted()
        where topicExchanges.contains(exchange) {
            let keys = part.queues.filter { own.contains($0.name) }
                .flatMap { $0.bindings.filter { $0.exchange == exchange }.map(\.routingKey) }
            topics.append(.init(exchange: exchange, write: nothing, read: exactly(keys)))
        }
        return Grant(user: serviceUser(service), purpose: "the minhu-\(service) service",
                     configure: exactly(queues + boundFrom + publishes), write: exactly(queues + publishes),
                     read: exactly(queues + boundFrom), topics: topics)
    }

    /// A department: consumes its `dept.<code>` queue, publishes its own actions on `minhu.department`.
    public static func department(_ code: String) -> Grant {
        let actions = MinhuTopology.departmentActions.map { "\(code).\($0)" }
        return Grant(user: departmentUser(code), purpose: "department \(code)", configure: nothing,
                     write: exactly([MinhuTopology.department]), read: exactly([MinhuTopology.departmentQueue(code)]),
                     topics: [.init(exchange: MinhuTopology.department, write: exactly(actions), read: nothing)])
    }

    /// A channel's integrator: publishes its own keys on `minhu.intake` (`<channel>.appeal` …), consumes its
    /// `outbound.<channel>` queue.
    public static func integrator(_ channel: String, topology: Topology) -> Grant {
        let suffixes = topology.queues.flatMap { $0.bindings.filter { $0.exchange == MinhuTopology.intake } }
            .map { $0.routingKey.hasPrefix("*.") ? String($0.routingKey.dropFirst(2)) : $0.routingKey }
        return Grant(user: integratorUser(channel), purpose: "the integrator of channel \(channel)",
                     configure: nothing, write: exactly([MinhuTopology.intake]),
                     read: exactly([MinhuTopology.outboundQueue(channel)]),
                     topics: [.init(exchange: MinhuTopology.intake, write: exactly(suffixes.map { "\(channel).\($0)" }),
                                    read: nothing)])
    }

    /// The operations user of `minhu deadletters`: reads the dead-letter queues, replays through the default
    /// exchange (and, for the sender-checked queues, through `minhu.intake` and `minhu.department`, where only a
    /// message with its sender's `user_id` is accepted by their consumers), declares nothing.
    public static let operations = Grant(
        user: operationsUser, purpose: "operators' minhu deadletters", configure: nothing,
        write: exactly(["amq.default", MinhuTopology.intake, MinhuTopology.department]), read: "^dead\\.",
        topics: [])

    /// Every service, the departments and channels of `topology`, and the operations user.
    public static func all(topology: Topology) -> [Grant] {
        let names = topology.queues.map(\.name)
        let departments = names.compactMap { $0.hasPrefix("dept.") ? String($0.dropFirst(5)) : nil }
        let channels = names.compactMap { $0.hasPrefix("outbound.") ? String($0.dropFirst(9)) : nil }
        return MinhuTopology.serviceQueues.keys.sorted().map { service($0, topology: topology) }
            + departments.sorted().map(department) + channels.sorted().map { integrator($0, topology: topology) }
            + [operations]
    }
}
