import Foundation
import Logging
import PostgresNIO

/// Deletes rows in batches, one short statement (and transaction) each, so that pruning a large table holds few
/// locks for little time and can be interrupted without losing what it did.
public enum BatchedDelete {
    /// Runs `statement(batch)` until it deletes fewer than `batch` rows; returns the total. The statement must
    /// delete at most `batch` rows and return one row per deleted row (`RETURNING 1`). `progress` is called after
    /// each batch that deleted something, with the running total.
    public static func run(batch: Int, database: MinhuDatabase, logger: Logger,
                           progress: @Sendable (Int) -> Void = { _ in },
                           statement: @Sendable (Int) -> PostgresQuery) async throws -> Int {
        precondition(batch >= 1, "a batch holds at least one row")
        var total = 0
        while true {
            let removed = try await database.withConnection { connection in
                let rows = try await connection.guardedQuery(statement(batch), logger: logger)
                let count = try await rows.collect().count
                return count
            }
            total += removed
            if removed > 0 { progress(total) }
            if removed < batch { return total }
        }
    }
}
