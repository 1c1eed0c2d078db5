import ArgumentParser
import Foundation
import MinhuStorage

/// `minhu inbox prune`: removes old rows of the consumers' inbox, which otherwise grows by one row per message and
/// consumer for ever.
struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox", abstract: "Maintain the consumers' inbox.", subcommands: [Prune.self])

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete inbox rows older than some days (as the table's owner, the migration role).",
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
        }

        func run() async throws {
            let logger = CommandSupport.logger("minhu-inbox")
            let configuration = try CommandSupport.databaseConfiguration()
            let days = olderThanDays
            let removed = try await CommandSupport.withDatabase(configuration, logger: logger) { database in
                try await Inbox.prune(olderThanDays: days, database: database, logger: logger) { total in
                    FileHandle.standardError.write(Data("… \(total) rows deleted\n".utf8))
                }
            }
            print("deleted \(removed) inbox rows received more than \(days) days ago")
        }
    }
}
