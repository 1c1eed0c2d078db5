import Foundation
import Logging
import MinhuStorage
import PostgresNIO

/// How long intake keeps the answers it gives to `Idempotency-Key` requests (`idempotency_keys`, migration 0006).
/// A client retries within minutes or hours; after that a stored answer only takes space, and it holds the
/// citizen's tracking link. `minhu prune idempotency-keys` deletes the old ones, as the table's owner.
public enum IdempotencyKeyRetention {
    /// The fewest days kept: a client's retries, even after a long outage on its side, come well within it.
    public static let minimumDays = 2

    /// Deletes the keys stored more than `days` days ago, in batches; returns how many. A request that reuses
    /// such a key later is a new request (a second appeal).
    public static func prune(olderThanDays days: Int, batch: Int = 10_000, database: MinhuDatabase, logger: Logger,
                             progress: @Sendable (Int) -> Void = { _ in }) async throws -> Int {
        precondition(days >= minimumDays, "keep at least \(minimumDays) days")
        return try await BatchedDelete.run(batch: batch, database: database, logger: logger,
                                           progress: progress) { size in
            """
            DELETE FROM idempotency_keys WHERE ctid IN (
                SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(days => \(days)::int)
                LIMIT \(size))
            RETURNING 1
            """
        }
    }
}
