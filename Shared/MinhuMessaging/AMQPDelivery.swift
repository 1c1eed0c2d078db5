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

    public init(contentType: String? = nil, messageID: String? = nil, type: String? = nil, timestamp: Date? = nil,
                correlationID: String? = nil, appID: String? = nil, userID: String? = nil,
                deliveryMode: UInt8? = nil, headers: [String: String] = [:]) {
        self.contentType = contentType
        self.messageID = messageID
        self.type = type
        self.timestamp = timestamp
        self.correlationID = correlationID
        self.appID = appID
        self.userID = userID
        self.deliveryMode = deliveryMode
        self.headers = headers
    }

    /// The `schema_version` header as an integer, if present and numeric.
    public var schemaVersion: Int? { headers["schema_version"].flatMap { Int($0) } }
}
