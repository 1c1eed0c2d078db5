import Foundation

/// A message ready to be published to the broker: the unit the outbox stores and the relay hands to a publisher.
///
/// Invariants: `messageID` is unique across the system (the consumer inbox keys on it); `body` is a UTF-8 JSON
/// document; `exchange` and `routingKey` say exactly where the broker must route it (with the mandatory flag, so an
/// unroutable message is a failure, never a silent drop).
public struct OutgoingMessage: Sendable, Hashable {
    /// The message's UUID, carried as the AMQP `message_id` property.
    public var messageID: UUID
    /// Exchange name, e.g. `minhu.events`.
    public var exchange: String
    /// Routing key, e.g. `appeal.received` or a department code.
    public var routingKey: String
    /// Message type, carried as the AMQP `type` property (the event type for events).
    public var type: String
    /// When the message was created (AMQP `timestamp`, second precision on the wire).
    public var timestamp: Date
    /// The appeal id (AMQP `correlation_id`) when the message concerns one appeal.
    public var correlationID: String?
    /// The producer (AMQP `app_id`), e.g. `minhu-intake`.
    public var appID: String
    /// The broker user publishing it (AMQP `user_id`); set by departments and integrators, nil for services.
    public var userID: String?
    /// Schema version of the body, carried in the `schema_version` header.
    public var schemaVersion: Int
    /// Extra string headers (e.g. `x-minhu-error` on dead letters).
    public var headers: [String: String]
    /// The JSON body.
    public var body: Data

    public init(messageID: UUID = UUID(), exchange: String, routingKey: String, type: String,
                timestamp: Date, correlationID: String? = nil, appID: String, userID: String? = nil,
                schemaVersion: Int = 1, headers: [String: String] = [:], body: Data) {
        self.messageID = messageID
        self.exchange = exchange
        self.routingKey = routingKey
        self.type = type
        self.timestamp = timestamp
        self.correlationID = correlationID
        self.appID = appID
        self.userID = userID
        self.schemaVersion = schemaVersion
        self.headers = headers
        self.body = body
    }
}
