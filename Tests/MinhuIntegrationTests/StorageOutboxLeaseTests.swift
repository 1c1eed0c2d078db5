import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO
import ServiceLifecycle
import Testing

/// The relay's claim lease on the real PostgreSQL: no transaction is open while the broker is waited for, a relay
/// whose lease ran out does not undo another relay's claim of its rows, a cancelled round still saves what the
/// broker confirmed, and outcomes the database could not take are saved at the next round without publishing
/// again.
@Suite(.enabled(if: TestDatabase.isConfigured, "MINHU_TEST_DATABASE_URL is not set"))
struct StorageOutboxLeaseTests {
    let logger = TestDatabase.logger

    @Test("while the broker makes a publish wait, the relay holds no transaction and its rows stay claimed")
    func noTransactionWhilePublishing() async throws {
        try await TestDatabase.withDatabase { database in
            let (publisher, relay, round) = try await roundWaitingForTheBroker(on: database)
            // (Until 2026-11-25 the round's transaction stayed open here, idle, for as long as the publish took.)
            #expect(try await StorageFixtures.integer("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND state LIKE 'idle in transaction%'
                """, on: database) == 0)
            #expect(try await StorageFixtures.integer("""
                SELECT count(*) FROM outbox
                WHERE published_at IS NULL AND next_attempt_at > now() + interval '30 seconds'
                """, on: database) == 3)
            await publisher.answer(.confirm)
            #expect(try await round.value.published == 3)
            #expect(try await relay.pendingCount() == 0)
        }
    }

    @Test("a relay whose lease ran out neither releases nor fails the rows another relay has claimed since",
          arguments: [GatedPublisher.Answer.fail, .nack])
    func staleRelayLeavesTheNewClaim(answer: GatedPublisher.Answer) async throws {
        try await TestDatabase.withDatabase { database in
            var shortLease = StorageOutboxTests.quick
            shortLease.claimLease = .seconds(2)
            let late = GatedPublisher()
            let first = OutboxRelay(database: database, publisher: late, producer: "minhu-intake",
                                    configuration: shortLease, logger: logger)
            let current = GatedPublisher()
            let second = OutboxRelay(database: database, publisher: current, producer: "minhu-intake",
                                     configuration: StorageOutboxTests.quick, logger: logger)
            let messages = (0..<3).map { StorageFixtures.event(number: $0) }
            try await StorageFixtures.append(messages, to: database)
            let firstRound = Task { try await first.relayOnce() }
            #expect(try await TestDatabase.waitUntil { await late.calls == 1 })
            #expect(try await TestDatabase.waitUntil {
                try await StorageFixtures.integer("SELECT count(*) FROM outbox WHERE next_attempt_at <= now()",
                                                  on: database) == 3
            }, "the first relay's lease runs out")
            let secondRound = Task { try await second.relayOnce() }
            #expect(try await TestDatabase.waitUntil { await current.calls == 1 })
            // The first relay's publish ends at last (lost connection, or nacks): the second relay's claim stands.
            await late.answer(answer)
            _ = await firstRound.result
            #expect(try await StorageFixtures.integer("""
                SELECT count(*) FROM outbox
                WHERE published_at IS NULL AND attempts = 0 AND next_attempt_at > now() + interval '30 seconds'
                """, on: database) == 3)
            await current.answer(.confirm)
            #expect(try await secondRound.value.published == 3)
            #expect(try await second.pendingCount() == 0)
        }
    }

    @Test("a round cancelled while the broker has its messages still saves the broker's confirms")
    func cancelledRoundSavesItsOutcomes() async throws {
        try await TestDatabase.withDatabase { database in
            let (publisher, relay, round) = try await roundWaitingForTheBroker(on: database)
            // As a shutdown's final flush past its deadline: cancelled, while the publish (which does not heed
            // cancellation, like the AMQP publisher's) still comes back with the broker's confirms.
            round.cancel()
            await publisher.answer(.confirm)
            _ = await round.result
            #expect(try await relay.pendingCount() == 0)
        }
    }

    @Test("a shutdown's final flush cut at its deadline still saves the confirms that come just after it")
    func finalFlushPastItsDeadline() async throws {
        try await TestDatabase.withConfiguration { configuration in
            let (recordingLogger, recorder) = RecordingLogHandler.logger()
            let database = MinhuDatabase(configuration: configuration, logger: logger)
            let publisher = GatedPublisher()
            var settings = StorageOutboxTests.quick
            settings.listens = false
            settings.pollInterval = .seconds(120) // nothing but the shutdown's flush claims the rows
            settings.shutdownFlushTimeout = .milliseconds(500)
            let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake",
                                    configuration: settings, logger: recordingLogger)
            // The pool is in the group, after it the relay: the group closes the pool once the relay has stopped.
            let group = ServiceGroup(services: [database, relay], logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                #expect(try await TestDatabase.waitUntil { recorder.lines.withLock { $0 }.contains {
                    $0.hasPrefix("outbox relay started")
                } })
                try await StorageFixtures.append((0..<3).map { StorageFixtures.event(number: $0) }, to: database)
                await group.triggerGracefulShutdown()
                #expect(try await TestDatabase.waitUntil { await publisher.calls == 1 })
                #expect(try await TestDatabase.waitUntil { recorder.lines.withLock { $0 }.contains {
                    $0.hasPrefix("outbox relay stopping; final flush incomplete")
                } })
                await publisher.answer(.confirm)
                try await tasks.waitForAll()
            }
            let pending = try await TestDatabase.withRunningDatabase(configuration) { database in
                try await StorageFixtures.integer("SELECT count(*) FROM outbox WHERE published_at IS NULL",
                                                  on: database)
            }
            #expect(pending == 0, "the confirms were saved before the pool closed")
        }
    }

    /// Three rows appended, and a round of a relay started whose publish waits (until the test answers it).
    private func roundWaitingForTheBroker(
        on database: MinhuDatabase
    ) async throws -> (GatedPublisher, OutboxRelay, Task<OutboxRelay.Round, any Error>) {
        let publisher = GatedPublisher()
        try await StorageFixtures.append((0..<3).map { StorageFixtures.event(number: $0) }, to: database)
        let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake",
                                configuration: StorageOutboxTests.quick, logger: logger)
        let round = Task { try await relay.relayOnce() }
        #expect(try await TestDatabase.waitUntil { await publisher.calls == 1 })
        return (publisher, relay, round)
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

/// A publisher that holds every publish until the test answers it: confirmed, nacked, or a lost connection. It does
/// not heed cancellation, like the AMQP publisher.
actor GatedPublisher: MessagePublishing {
    enum Answer: Sendable { case confirm, nack, fail }

    private(set) var calls = 0
    private var given: Answer?
    private var waiting: [CheckedContinuation<Answer, Never>] = []

    func publish(_ messages: [OutgoingMessage]) async throws -> [PublishOutcome] {
        calls += 1
        let answer: Answer
        if let given {
            answer = given
        } else {
            answer = await withCheckedContinuation { waiting.append($0) }
        }
        switch answer {
        case .confirm: return messages.map { _ in .confirmed }
        case .nack: return messages.map { _ in .nacked }
        case .fail: throw RecordingPublisher.ConnectionLost()
        }
    }

    /// Answers the publishes waiting, and every later one.
    func answer(_ answer: Answer) {
        given = answer
        for continuation in waiting { continuation.resume(returning: answer) }
        waiting.removeAll()
    }
}
