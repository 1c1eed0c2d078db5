import Foundation

/// One message delivered to a consumer, with its AMQP properties copied out of rabbitmq-c's buffers.
public struct AMQPDelivery: Sendable {
    /// The broker's delivery tag, valid only on the connection (`generation`) it came from.
    public var deliveryTag: UInt64
    /// Which connection of the consumer delivered it; acks for an older generation are ignored (the broker
    /// redelivers those messages anyway).
    public var generation: Int
    public var redelivered: Bool
    public var exchange: String
    public var routingKey: String
    public var properties: AMQPProperties
    public var body: Data

    public init(deliveryTag: UInt64, generation: Int, redelivered: Bool, exchange: String, routingKey: String,
                properties: AMQPProperties, body: Data) {
        self.deliveryTag = deliveryTag
        self.generation = generation
        self.redelivered = redelivered
        self.exchange = exchange
        self.routingKey = routingKey
        self.properties = properties
        self.body = body
    }

    /// The `message_id` property parsed as a UUID, if it is one.
    public var messageID: UUID? { properties.messageID.flatMap(UUID.init(uuidString:)) }
}

/// The AMQP basic properties Minhu uses. Header values are kept as strings (numbers are formatted).
public struct AMQPProperties: Sendable, Hashable {
    public var contentType: String?
    public var messageID: String?
    public var type: String?
    public var timestamp: Date?
    public var correlationID: String?
    public var appID: String?
    public var userID: String?
    public var deliveryMode: UInt8?
    public var headers: [String: String]
    /// The broker's dead-lettering record (the `x-death` header), most recent first; empty for a message the
    /// broker never dead-lettered (it is not among `headers`, which holds scalar values only).
    public var deaths: [AMQPDeath]

    public init(contentType: String? = nil, messageID: String? = nil, type: String? = nil, timestamp: Date? = nil,
                correlationID: String? = nil, appID: String? = nil, userID: String? = nil,
                deliveryMode: UInt8? = nil, headers: [String: String] = [:], deaths: [AMQPDeath] = []) {
        self.contentType = contentType
        self.messageID = messageID
        self.type = type
        self.timestamp = timestamp
        self.correlationID = correlationID
        self.appID = appID
        self.userID = userID
        self.deliveryMode = deliveryMode
        self.headers = headers
        self.deaths = deaths
    }

    /// The `schema_version` header as an integer, if present and numeric.
    public var schemaVersion: Int? { headers["schema_version"].flatMap { Int($0) } }
}

/// One entry of the broker's `x-death` header: the queue a message was dead-lettered from, why, and where it had
/// been published.
public struct AMQPDeath: Sendable, Hashable {
    public var queue: String
    public var reason: String
    public var exchange: String
    public var routingKeys: [String]

    public init(queue: String, reason: String, exchange: String, routingKeys: [String]) {
        self.queue = queue
        self.reason = reason
        self.exchange = exchange
        self.routingKeys = routingKeys
    }
}
