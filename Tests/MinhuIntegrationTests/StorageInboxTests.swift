import Foundation
import MinhuModels
import MinhuStorage
import PostgresNIO
import Testing

/// The inbox and the consumer transaction: one effect per message, whatever the redeliveries.
@Suite(.enabled(if: TestDatabase.isConfigured, "MINHU_TEST_DATABASE_URL is not set"))
struct StorageInboxTests {
    struct Delivery: InboxDelivery {
        var messageID: UUID
        var text: String
    }

    /// The consumer's effect: a row in a table of its own, plus one event to emit per message.
    static func effect(_ connection: PostgresConnection, _ fresh: [Delivery]) async throws -> [OutgoingMessage] {
        for delivery in fresh {
            try await connection.guardedQuery("INSERT INTO effects (message_id, text) VALUES (\(delivery.messageID), \(delivery.text))",
                                       logger: TestDatabase.logger)
        }
        return fresh.map { StorageFixtures.event(producer: "minhu-dispatcher", type: "appeal.classified",
                                                 correlationID: $0.text) }
    }

    static func prepare(_ database: MinhuDatabase) async throws {
        _ = try await database.withConnection { connection in
            try await connection.guardedQuery("CREATE TABLE effects (message_id uuid, text text)", logger: TestDatabase.logger)
        }
    }

    @Test func theSameMessageTwiceHasOneEffect() async throws {
        try await TestDatabase.withDatabase { database in
            try await Self.prepare(database)
            let delivery = Delivery(messageID: UUID(), text: "A1")
            let first = try await ConsumerTransaction.run(
                database: database, consumer: "dispatcher.events", producer: "minhu-dispatcher", messages: [delivery],
                effect: Self.effect)
            #expect(first == ConsumerOutcome(applied: [delivery.messageID], skipped: [], emitted: 1))

            let again = try await ConsumerTransaction.run(
                database: database, consumer: "dispatcher.events", producer: "minhu-dispatcher", messages: [delivery]
            ) { connection, fresh in
                Issue.record("the effect ran for a duplicate")
                return try await Self.effect(connection, fresh)
            }
            #expect(again == ConsumerOutcome(applied: [], skipped: [delivery.messageID], emitted: 0))
            #expect(try await StorageFixtures.integer("SELECT count(*) FROM effects", on: database) == 1)
            #expect(try await StorageFixtures.integer(
                "SELECT count(*) FROM outbox WHERE producer = 'minhu-dispatcher'", on: database) == 1)

            // Another consumer of the same message has its own inbox.
            let other = try await ConsumerTransaction.run(
                database: database, consumer: "supervision.events", producer: "minhu-supervision", messages: [delivery]
            ) { _, fresh in
                #expect(fresh.count == 1)
                return []
            }
            #expect(other.applied == [delivery.messageID])
        }
    }

    @Test func aBatchWithDuplicatesInsideAndBefore() async throws {
        try await TestDatabase.withDatabase { database in
            try await Self.prepare(database)
            let old = Delivery(messageID: UUID(), text: "old")
            _ = try await ConsumerTransaction.run(
                database: database, consumer: "dispatcher.events", producer: "minhu-dispatcher", messages: [old],
                effect: Self.effect)

            let a = Delivery(messageID: UUID(), text: "a")
            let b = Delivery(messageID: UUID(), text: "b")
            let batch = [a, old, b, a]
            let outcome = try await ConsumerTransaction.run(
                database: database, consumer: "dispatcher.events", producer: "minhu-dispatcher", messages: batch
            ) { connection, fresh in
                #expect(fresh.map(\.text) == ["a", "b"])
                return try await Self.effect(connection, fresh)
            }
            #expect(outcome.applied == [a.messageID, b.messageID])
            #expect(outcome.skipped == [old.messageID, a.messageID])
            #expect(outcome.emitted == 2)
            let texts = try await database.withConnection { connection in
                let rows = try await connection.guardedQuery("SELECT text FROM effects ORDER BY text", logger: TestDatabase.logger)
                return try await rows.decode(String.self).collectAll()
            }
            #expect(texts == ["a", "b", "old"])
        }
    }

    @Test func aFailedEffectRecordsNothing() async throws {
        try await TestDatabase.withDatabase { database in
            try await Self.prepare(database)
            struct Refused: Error {}
            let delivery = Delivery(messageID: UUID(), text: "x")
            await #expect(throws: Refused.self) {
                try await ConsumerTransaction.run(
                    database: database, consumer: "dispatcher.events", producer: "minhu-dispatcher",
                    messages: [delivery]
                ) { connection, fresh in
                    _ = try await Self.effect(connection, fresh)
                    throw Refused()
                }
            }
            #expect(try await StorageFixtures.integer("SELECT count(*) FROM inbox", on: database) == 0)
            #expect(try await StorageFixtures.integer("SELECT count(*) FROM effects", on: database) == 0)
            #expect(try await StorageFixtures.integer("SELECT count(*) FROM outbox", on: database) == 0)

            // The redelivery is applied normally.
            let retry = try await ConsumerTransaction.run(
                database: database, consumer: "dispatcher.events", producer: "minhu-dispatcher", messages: [delivery],
                effect: Self.effect)
            #expect(retry.applied == [delivery.messageID])
        }
    }

    @Test func concurrentRedeliveriesApplyOnce() async throws {
        try await TestDatabase.withDatabase { database in
            try await Self.prepare(database)
            let deliveries = (0..<20).map { Delivery(messageID: UUID(), text: "m\($0)") }
            // Two consumers of one queue receive the same messages (e.g. after a connection loss) at once.
            let outcomes = try await withThrowingTaskGroup(of: ConsumerOutcome.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await ConsumerTransaction.run(
                            database: database, consumer: "dispatcher.events", producer: "minhu-dispatcher",
                            messages: deliveries, effect: Self.effect)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.map(\.applied.count).reduce(0, +) == 20)
            #expect(outcomes.map(\.skipped.count).reduce(0, +) == 20)
            #expect(try await StorageFixtures.integer("SELECT count(*) FROM effects", on: database) == 20)
        }
    }

    @Test func inboxRecordsAndAnswers() async throws {
        try await TestDatabase.withDatabase { database in
            let inbox = Inbox(consumer: "reporting.events")
            let id = UUID()
            let (fresh, again, known) = try await database.withTransaction { connection in
                let fresh = try await inbox.record([id, id], on: connection, logger: TestDatabase.logger)
                let again = try await inbox.record([id], on: connection, logger: TestDatabase.logger)
                let known = try await inbox.contains(id, on: connection, logger: TestDatabase.logger)
                return (fresh, again, known)
            }
            #expect(fresh == [id])
            #expect(again.isEmpty)
            #expect(known)
        }
    }

    @Test("prune deletes the rows older than the days kept, in batches, and only those; services may not delete")
    func pruneOldRows() async throws {
        try await TestDatabase.withDatabase { database in
            let logger = TestDatabase.logger
            try await database.withConnection { connection in
                try await connection.guardedQuery("""
                    INSERT INTO inbox (consumer, message_id, received_at)
                    SELECT 'dispatcher.events', gen_random_uuid(), now() - make_interval(days => 40) - g * interval '1 s'
                    FROM generate_series(1, 7) AS g
                    """, logger: logger)
                try await connection.guardedQuery("""
                    INSERT INTO inbox (consumer, message_id, received_at)
                    SELECT 'intake.events', gen_random_uuid(), now() - make_interval(days => 20) FROM generate_series(1, 4)
                    """, logger: logger)
            }
            let seen = ProgressTotals()
            let removed = try await Inbox.prune(olderThanDays: 30, batch: 3, database: database, logger: logger) {
                seen.append($0)
            }
            #expect(removed == 7)
            #expect(seen.values == [3, 6, 7])
            #expect(try await StorageFixtures.integer("SELECT count(*) FROM inbox", on: database) == 4)
            #expect(try await StorageFixtures.fails("DELETE FROM inbox", as: "minhu_dispatcher", on: database) == "42501")
        }
    }
}

/// The running totals a prune reports, collected across its calls.
final class ProgressTotals: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [Int] = []
    var values: [Int] { lock.withLock { collected } }
    func append(_ value: Int) { lock.withLock { collected.append(value) } }
}
