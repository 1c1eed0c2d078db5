import Logging
import MinhuMessaging
import MinhuModels
import PostgresNIO

/// What a service does with the messages of one queue.
///
/// `decode` runs first, outside any transaction: throw `MessageRejection` to dead-letter a message. `apply` then
/// runs inside the consumer transaction for the messages the inbox has not seen yet; the messages it returns are
/// appended to the outbox in the same transaction.
public protocol MessageHandler: Sendable {
    associatedtype Message: Sendable

    /// Validates and decodes one delivery.
    func decode(_ delivery: AMQPDelivery) throws -> Message

    /// Applies the effect of `messages` on `connection` (inside the transaction).
    func apply(_ messages: [Message], on connection: PostgresConnection, logger: Logger) async throws
        -> [OutgoingMessage]
}
