import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// Helpers to put events in the outbox and count them on the other side.
enum OutboxFixtures {
    /// `count` events `appeal.received` with bodies `{"n": first…}` from `producer`.
    static func events(_ range: ClosedRange<Int>, producer: String = "minhu-intake") -> [OutgoingMessage] {
        range.map { n in
            OutgoingMessage(exchange: MinhuTopology.events, routingKey: "appeal.received", type: "appeal.received",
                            timestamp: Date(), correlationID: "appeal-\(n)", appID: producer,
                            body: Data("{\"n\":\(n)}".utf8))
        }
    }

    /// Appends `messages` to the outbox in one transaction.
    static func append(_ messages: [OutgoingMessage], producer: String = "minhu-intake", to database: MinhuDatabase,
                       logger: Logger) async throws {
        try await database.withTransaction { connection in
            try await OutboxWriter.append(messages, producer: producer, on: connection, logger: logger)
        }
    }

    /// Rows of `table` (a fixed test table name) counted.
    static func inboxCount(consumer: String, database: MinhuDatabase, logger: Logger) async throws -> Int {
        try await database.withConnection { connection in
            var total = 0
            for try await count in try await connection.guardedQuery(
                "SELECT count(*)::int FROM inbox WHERE consumer = \(consumer)", logger: logger).decode(Int.self) {
                total = count
            }
            return total
        }
    }
}
