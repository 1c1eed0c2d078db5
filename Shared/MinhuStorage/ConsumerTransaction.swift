import Foundation
import Logging
import MinhuModels
import PostgresNIO

/// Applies a batch of deliveries exactly once in effect, in ONE transaction: inbox rows decide which deliveries
/// are new, the effect runs for those only, and the messages the effect emits are appended to the outbox; then
/// one commit. The caller acks the whole batch (one multiple-ack) only after ``run(database:consumer:producer:messages:logger:isolation:effect:)``
/// returns; when it throws, nothing was recorded and nothing should be acked.
///
/// ```swift
/// let outcome = try await ConsumerTransaction.run(
///     database: database, consumer: "dispatcher.events", producer: "minhu-dispatcher", messages: decoded
/// ) { connection, fresh in
///     try await apply(fresh, on: connection)      // the consumer's own writes
///     return emittedMessages                       // appended to the outbox in the same transaction
/// }
/// await ack(lastDeliveryTag, multiple: true)
/// ```
public enum ConsumerTransaction {
    /// - Parameters:
    ///   - consumer: the inbox key, e.g. the queue `dispatcher.events`.
    ///   - producer: the outbox producer of the messages the effect emits, e.g. `minhu-dispatcher`.
    ///   - messages: the deliveries, in delivery order. A message id that appears twice is applied once.
    ///   - effect: called once with the connection (in the open transaction) and the new deliveries, in order;
    ///     not called when every delivery is a duplicate. Returns the messages to append to the outbox.
    /// - Returns: which message ids were applied and which skipped as duplicates.
    /// - Throws: the effect's or the database's error; the transaction is then rolled back.
    public static func run<Delivery: InboxDelivery>(
        database: MinhuDatabase, consumer: String, producer: String, messages: [Delivery],
        logger: Logger? = nil,
        isolation: isolated (any Actor)? = #isolation,
        effect: (PostgresConnection, [Delivery]) async throws -> [OutgoingMessage]
    ) async throws -> ConsumerOutcome {
        let logger = logger ?? database.logger
        let inbox = Inbox(consumer: consumer)
        return try await database.withTransaction(isolation: isolation) { connection in
            let fresh = try await inbox.record(messages.map(\.messageID), on: connection, logger: logger)
            var seen = Set<UUID>()
            var applied: [Delivery] = []
            var skipped: [UUID] = []
            for message in messages {
                if fresh.contains(message.messageID), seen.insert(message.messageID).inserted {
                    applied.append(message)
                } else {
                    skipped.append(message.messageID)
                }
            }
            var emitted = 0
            if !applied.isEmpty {
                let outgoing = try await effect(connection, applied)
                try await OutboxWriter.append(outgoing, producer: producer, on: connection, logger: logger)
                emitted = outgoing.count
            }
            return ConsumerOutcome(applied: applied.map(\.messageID), skipped: skipped, emitted: emitted)
        }
    }
}

/// What a consumer transaction did.
public struct ConsumerOutcome: Sendable, Hashable {
    /// The message ids whose effect was applied (in delivery order).
    public var applied: [UUID]
    /// The message ids skipped as duplicates (already in the inbox, or repeated in the batch), one per skipped
    /// delivery.
    public var skipped: [UUID]
    /// Outbox rows appended by the effect.
    public var emitted: Int

    public init(applied: [UUID], skipped: [UUID], emitted: Int) {
        self.applied = applied
        self.skipped = skipped
        self.emitted = emitted
    }
}
