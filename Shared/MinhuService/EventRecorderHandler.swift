import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import PostgresNIO

/// The handler of a service's `<service>.events` queue until the service's real work lands: it validates that
/// each message is a known event with a JSON object body (refusing others as dead letters) and records it in
/// the inbox, so the queue drains and duplicates are visible; it has no other effect.
public struct EventRecorderHandler: MessageHandler {
    public struct Event: Sendable {
        public var type: EventType
        public var messageID: String
    }

    public init() {}

    public func decode(_ delivery: AMQPDelivery) throws -> Event {
        guard let typeName = delivery.properties.type ?? Optional(delivery.routingKey),
              let type = EventType(rawValue: typeName) else {
            throw MessageRejection("unknown event type '\(delivery.properties.type ?? delivery.routingKey)'")
        }
        guard (try? JSONSerialization.jsonObject(with: delivery.body)) is [String: Any] else {
            throw MessageRejection("body is not a JSON object")
        }
        return Event(type: type, messageID: delivery.properties.messageID ?? "")
    }

    public func apply(_ messages: [Event], on connection: PostgresConnection, logger: Logger) async throws
        -> [OutgoingMessage] {
        for message in messages {
            logger.debug("event received", metadata: ["event.type": "\(message.type.rawValue)",
                                                      "message.id": "\(message.messageID)"])
        }
        return []
    }
}
