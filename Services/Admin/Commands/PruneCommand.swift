import ArgumentParser
import Foundation
import Logging
import MinhuService
import MinhuStorage

/// `minhu prune inbox|idempotency-keys`: removes rows that only take space once old, as the tables' owner (the
/// migration role). Schedule it (docs/operations.md, "Routine maintenance").
struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Delete old inbox rows or idempotency keys (as the migration role).",
        subcommands: [InboxRows.self, IdempotencyKeys.self])

    /// `minhu prune inbox`.
    struct InboxRows: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inbox", abstract: "Delete the consumers' inbox rows older than some days.",
            discussion: """
                A row only has to outlive any redelivery of its message: a message applied but not acked comes back \
                when its consumer reconnects, after an outage perhaps days later. So at least \
                \(Inbox.minimumRetentionDays) days are kept. Rows go in batches of 10,000; progress is printed.
                """)

        @Option(help: "Keep the rows of the last N days (at least \(Inbox.minimumRetentionDays)).")
        var olderThanDays = 30

        func validate() throws {
            guard olderThanDays >= Inbox.minimumRetentionDays else {
                throw ValidationError("--older-than-days must be at least \(Inbox.minimumRetentionDays) "
                                      + "(a redelivered message must still find its row)")
            }
            try PruneCommand.checkAtMostACentury(olderThanDays)
        }

        func run() async throws {
            let days = olderThanDays
            let removed = try await PruneCommand.withDatabase { database, logger in
                try await PruneCommand.requireOwner(of: "inbox", database: database, logger: logger)
                return try await Inbox.prune(olderThanDays: days, database: database, logger: logger,
                                             progress: PruneCommand.progress)
            }
            print("deleted \(removed) inbox rows received more than \(days) days ago")
        }
    }

    /// `minhu prune idempotency-keys`.
    struct IdempotencyKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "idempotency-keys",
            abstract: "Delete the answers intake stored for Idempotency-Key requests older than some days.",
            discussion: """
                A request that reuses a deleted key is a new request (a second appeal), so keep longer than any \
                client retries (at least \(IdempotencyKeyRetention.minimumDays) days). The stored answers hold \
                citizens' tracking links. Rows go in batches of 10,000; progress is printed.
                """)

        @Option(help: "Keep the keys of the last N days (at least \(IdempotencyKeyRetention.minimumDays)).")
        var olderThanDays = 30

        func validate() throws {
            guard olderThanDays >= IdempotencyKeyRetention.minimumDays else {
                throw ValidationError("--older-than-days must be at least \(IdempotencyKeyRetention.minimumDays)")
            }
            try PruneCommand.checkAtMostACentury(olderThanDays)
        }

        func run() async throws {
            let days = olderThanDays
            let removed = try await PruneCommand.withDatabase { database, logger in
                try await PruneCommand.requireOwner(of: "idempotency_keys", database: database, logger: logger)
                return try await IdempotencyKeyRetention.prune(olderThanDays: days, database: database,
                                                               logger: logger, progress: PruneCommand.progress)
            }
            print("deleted \(removed) idempotency keys stored more than \(days) days ago")
        }
    }

    /// Runs `body` against `MINHU_DATABASE_URL`.
    static func withDatabase(_ body: @escaping @Sendable (MinhuDatabase, Logger) async throws -> Int) async throws
        -> Int {
        let logger = CommandSupport.logger("minhu-prune")
        let configuration = try CommandSupport.databaseConfiguration()
        return try await CommandSupport.withDatabase(configuration, logger: logger) { database in
            try await body(database, logger)
        }
    }

    /// Refuses more than 36,500 days, beyond which the database cannot count back from now.
    static func checkAtMostACentury(_ days: Int) throws {
        guard days <= 36_500 else { throw ValidationError("--older-than-days must be at most 36500 (got \(days))") }
    }

    /// Fails unless the current user owns `table` (or is a member of its owner): the inbox's row security hides
    /// every row from anyone else, who would delete nothing and say so as if there were nothing to delete.
    static func requireOwner(of table: String, database: MinhuDatabase, logger: Logger) async throws {
        let owns = try await database.withConnection { connection in
            let rows = try await connection.guardedQuery("""
                SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c
                WHERE c.oid = to_regclass(\(table))
                """, logger: logger)
            var owns = false
            for try await value in rows.decode(Bool.self) { owns = value }
            return owns
        }
        guard owns else {
            throw CommandFailure("run this as the owner of \(table), the migration role (MINHU_DATABASE_URL's user "
                                 + "does not own it, so it could not see or delete the old rows)")
        }
    }

    /// Prints the running total on standard error.
    @Sendable static func progress(_ total: Int) {
        FileHandle.standardError.write(Data("… \(total) rows deleted\n".utf8))
    }
}
