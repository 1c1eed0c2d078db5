/// A set of exchanges, queues and bindings to declare on the broker, idempotently.
///
/// Built from one definition (`MinhuTopology`) so that every service, the provisioning command and the tests
/// declare exactly the same arguments (a mismatch would make the broker refuse the declaration).
public struct Topology: Sendable, Hashable {
    /// An exchange: durable, never auto-deleted.
    public struct Exchange: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable { case topic, direct, fanout }
        public var name: String
        public var kind: Kind
        public init(name: String, kind: Kind) {
            self.name = name
            self.kind = kind
        }
    }

    /// A binding of a queue to an exchange with a routing key (a pattern for topic exchanges).
    public struct Binding: Sendable, Hashable {
        public var exchange: String
        public var routingKey: String
        public init(exchange: String, routingKey: String) {
            self.exchange = exchange
            self.routingKey = routingKey
        }
    }

    /// A durable queue with its arguments and bindings.
    public struct Queue: Sendable, Hashable {
        public var name: String
        public var arguments: [String: QueueArgument]
        public var bindings: [Binding]
        public init(name: String, arguments: [String: QueueArgument], bindings: [Binding]) {
            self.name = name
            self.arguments = arguments
            self.bindings = bindings
        }
    }

    /// A queue argument value (`x-…`).
    public enum QueueArgument: Sendable, Hashable {
        case string(String)
        case int(Int32)
    }

    public var exchanges: [Exchange]
    public var queues: [Queue]

    public init(exchanges: [Exchange], queues: [Queue]) {
        self.exchanges = exchanges
        self.queues = queues
    }

    /// The queue named `name`, if declared.
    public func queue(named name: String) -> Queue? { queues.first { $0.name == name } }

    /// The names of the queues that a message published to `exchange` with `routingKey` reaches.
    public func queues(reachedBy exchange: String, routingKey: String) -> [String] {
        guard let kind = exchanges.first(where: { $0.name == exchange })?.kind else { return [] }
        return queues.filter { queue in
            queue.bindings.contains { binding in
                guard binding.exchange == exchange else { return false }
                switch kind {
                case .topic: return TopicPattern.matches(pattern: binding.routingKey, routingKey: routingKey)
                case .direct: return binding.routingKey == routingKey
                case .fanout: return true
                }
            }
        }.map(\.name)
    }

    /// A topology holding only the named queues and the exchanges they are bound to (plus `extraExchanges`).
    public func subset(queues names: Set<String>, extraExchanges: Set<String> = []) -> Topology {
        let selected = queues.filter { names.contains($0.name) }
        var needed = extraExchanges
        for queue in selected { for binding in queue.bindings { needed.insert(binding.exchange) } }
        // Dead-letter exchanges named by the selected queues must exist too.
        for queue in selected {
            if case .string(let dlx)? = queue.arguments["x-dead-letter-exchange"] { needed.insert(dlx) }
        }
        return Topology(exchanges: exchanges.filter { needed.contains($0.name) }, queues: selected)
    }
}
