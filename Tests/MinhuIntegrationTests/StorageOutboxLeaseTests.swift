import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO
import Testing

/// The relay's claim lease on the real PostgreSQL: no transaction is open while the broker is waited for, a relay
/// that never comes back from a publish leaves its rows to another once the lease has run out, and outcomes the
/// database could not take are saved at the next round without publishing again.
@Suite(.enabled(if: TestDatabase.isConfigured, "MINHU_TEST_DATABASE_URL is not set"))
struct StorageOutboxLeaseTests {
    let logger = TestDatabase.logger

    @Test("while the broker makes a publish wait, the relay holds no transaction and its rows stay claimed")
    func noTransactionWhilePublishing() async throws {
        try await TestDatabase.withDatabase { database in
            let publisher = RecordingPublisher(delay: .seconds(3))
            try await StorageFixtures.append((0..<3).map { StorageFixtures.event(number: $0) }, to: database)
            let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake",
                                    configuration: StorageOutboxTests.quick, logger: logger)
            let round = Task { try await relay.relayOnce() }
            #expect(try await TestDatabase.waitUntil { await publisher.calls == 1 })
            // (Until 2026-11-25 the round's transaction stayed open here, idle, for as long as the publish took.)
            #expect(try await StorageFixtures.integer("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND state LIKE 'idle in transaction%'
                """, on: database) == 0)
            #expect(try await StorageFixtures.integer("""
                SELECT count(*) FROM outbox
                WHERE published_at IS NULL AND next_attempt_at > now() + interval '30 seconds'
                """, on: database) == 3)
            #expect(try await round.value.published == 3)
            #expect(try await relay.pendingCount() == 0)
        }
    }

    @Test("a relay stuck in a publish leaves its rows to another relay once the lease has run out")
    func leaseRunsOut() async throws {
        try await TestDatabase.withDatabase { database in
            var leased = StorageOutboxTests.quick
            leased.claimLease = .seconds(5)
            let stuck = RecordingPublisher(delay: .seconds(600))
            let first = OutboxRelay(database: database, publisher: stuck, producer: "minhu-intake",
                                    configuration: leased, logger: logger)
            let working = RecordingPublisher()
            let second = OutboxRelay(database: database, publisher: working, producer: "minhu-intake",
                                     configuration: StorageOutboxTests.quick, logger: logger)
            let messages = (0..<3).map { StorageFixtures.event(number: $0) }
            try await StorageFixtures.append(messages, to: database)
            let clock = ContinuousClock()
            let start = clock.now
            let round = Task { try await first.relayOnce() }
            #expect(try await TestDatabase.waitUntil { await stuck.calls == 1 })
            let early = try await second.flush()
            // (Only while the lease can still hold: a loaded machine may take longer than 5 s to get here.)
            if clock.now - start < .seconds(5) { #expect(early.claimed == 0, "claimed by the first relay") }
            var published = early.published
            #expect(try await TestDatabase.waitUntil(timeout: .seconds(60)) {
                published += try await second.flush().published
                return published == 3
            })
            #expect(await working.confirmedIDs == messages.map(\.messageID))
            // The first relay's publish fails at last; releasing its rows does not undo the second's marks.
            round.cancel()
            _ = await round.result
            #expect(try await first.pendingCount() == 0)
            #expect(try await second.flush().claimed == 0)
        }
    }

    @Test("outcomes the database could not take are saved at the next round, without publishing again")
    func unsavedOutcomesAreSavedLater() async throws {
        try await TestDatabase.withDatabase { database in
            // A trigger fails marking a row published while `outbox_test_fail` holds a row.
            for statement: PostgresQuery in [
                "CREATE TABLE outbox_test_fail (n integer)",
                "INSERT INTO outbox_test_fail VALUES (1)",
                """
                CREATE FUNCTION outbox_test_fail_mark() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.published_at IS NOT NULL AND EXISTS (SELECT 1 FROM outbox_test_fail) THEN
                        RAISE EXCEPTION 'test: the database fails the mark';
                    END IF;
                    RETURN NEW;
                END
                $$
                """,
                """
                CREATE TRIGGER outbox_test_fail_mark BEFORE UPDATE ON outbox
                    FOR EACH ROW EXECUTE FUNCTION outbox_test_fail_mark()
                """,
            ] {
                _ = try await database.withConnection { try await $0.guardedQuery(statement, logger: logger) }
            }
            let publisher = RecordingPublisher()
            let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake",
                                    configuration: StorageOutboxTests.quick, logger: logger)
            try await StorageFixtures.append((0..<3).map { StorageFixtures.event(number: $0) }, to: database)
            await #expect(throws: (any Error).self) { try await relay.relayOnce() }
            #expect(await publisher.confirmed.count == 3)
            #expect(try await relay.pendingCount() == 3)
            // Still failing: the outcomes wait in memory, and the leased rows are not claimed again.
            await #expect(throws: (any Error).self) { try await relay.relayOnce() }
            _ = try await database.withConnection {
                try await $0.guardedQuery("DELETE FROM outbox_test_fail", logger: logger)
            }
            #expect(try await relay.relayOnce().claimed == 0)
            #expect(try await relay.pendingCount() == 0)
            #expect(await publisher.calls == 1, "published once: the outcomes were saved, not the rows republished")
        }
    }
}
