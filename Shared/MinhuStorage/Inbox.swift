import Foundation
import Logging
import PostgresNIO

/// Something delivered to a consumer that the inbox can recognise: it carries the message's unique id (the AMQP
/// `message_id`). Conform a delivery or decoded-message type to it to use ``ConsumerTransaction``.
public protocol InboxDelivery: Sendable {
    var messageID: UUID { get }
}

/// One consumer's inbox: the messages it has applied, so that a redelivered message has no second effect.
///
/// Rows `(consumer, message_id)` are inserted in the consumer's own transaction, `ON CONFLICT DO NOTHING`; a
/// message whose row was already there is a duplicate. Use ``ConsumerTransaction`` rather than this type directly.
public struct Inbox: Sendable, Hashable {
    /// The inbox key, e.g. the queue `dispatcher.events`: one per queue and service.
    public let consumer: String

    public init(consumer: String) {
        precondition(!consumer.isEmpty, "an inbox needs a consumer name")
        self.consumer = consumer
    }

    /// Records `messageIDs` as received and returns those that were not recorded before (each id once, however
    /// often it appears in `messageIDs`). Must run in the transaction that applies the messages' effects.
    public func record(_ messageIDs: [UUID], on connection: PostgresConnection, logger: Logger) async throws -> Set<UUID> {
        guard !messageIDs.isEmpty else { return [] }
        let rows = try await connection.guardedQuery("""
            INSERT INTO inbox (consumer, message_id)
            SELECT \(consumer), id FROM unnest(\(messageIDs)) AS t(id)
            ON CONFLICT DO NOTHING
            RETURNING message_id
            """, logger: logger)
        var fresh = Set<UUID>()
        for try await id in rows.decode(UUID.self) { fresh.insert(id) }
        return fresh
    }

    /// The fewest days `prune` keeps: a message applied but not acked (a crash between commit and ack) comes back when
    /// its consumer reconnects, which after an outage can be days later, and must still find its row.
    public static let minimumRetentionDays = 7

    /// Deletes every consumer's rows received more than `days` days ago (by the database's clock), in batches of
    /// `batch` rows so that no statement holds many locks for long; returns how many. Run by the owner (the
    /// services may not delete inbox rows). `progress` is called after each batch with the running total.
    public static func prune(olderThanDays days: Int, batch: Int = 10_000, database: MinhuDatabase, logger: Logger,
                             progress: @Sendable (Int) -> Void = { _ in }) async throws -> Int {
        precondition(days >= minimumRetentionDays, "keep at least \(minimumRetentionDays) days")
        return try await BatchedDelete.run(batch: batch, database: database, logger: logger,
                                           progress: progress) { size in
            """
            DELETE FROM inbox WHERE ctid IN (
                SELECT ctid FROM inbox WHERE received_at < now() - make_interval(days => \(days)::int)
                LIMIT \(size))
            RETURNING 1
            """
        }
    }

    /// True when `messageID` is recorded.
    public func contains(_ messageID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.guardedQuery(
            "SELECT EXISTS (SELECT 1 FROM inbox WHERE consumer = \(consumer) AND message_id = \(messageID))",
            logger: logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }
}
