import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO
import ServiceLifecycle
import Testing

/// The outbox and its relay, against the publisher port (`RecordingPublisher`), not a broker.
@Suite(.enabled(if: TestDatabase.isConfigured, "MINHU_TEST_DATABASE_URL is not set"))
struct StorageOutboxTests {
    /// Fast retries for tests.
    static let quick = OutboxRelay.Configuration(
        batchSize: 100, pollInterval: .milliseconds(100),
        retryBackoff: RelayBackoff(initial: .milliseconds(300), maximum: .seconds(2)),
        failureBackoff: RelayBackoff(initial: .milliseconds(50), maximum: .milliseconds(200)))

    @Test func appendKeepsEveryFieldAndTheExactBody() async throws {
        try await TestDatabase.withDatabase { database in
            let publisher = RecordingPublisher()
            let messages = (0..<3).map { StorageFixtures.event(number: $0) } + [StorageFixtures.acknowledgement()]
            try await StorageFixtures.append(messages, to: database)
            #expect(try await StorageFixtures.integer(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL AND producer = 'minhu-intake'", on: database) == 4)
            #expect(try await StorageFixtures.integer("SELECT count(*) FROM outbox WHERE is_event", on: database) == 3)

            let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake",
                                    configuration: Self.quick, logger: TestDatabase.logger)
            let round = try await relay.flush()
            #expect(round.published == 4 && round.failed == 0)
            let confirmed = await publisher.confirmed
            #expect(confirmed == messages) // every field, body bytes included, in insertion order
            #expect(String(decoding: confirmed[0].body, as: UTF8.self) == #"{"z":1, "a":"诉求 0","nested":{"b":2.50,"a":null}}"#)
            #expect(try await StorageFixtures.integer(
                "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL AND attempts = 0", on: database) == 4)
            #expect(try await relay.pendingCount() == 0)
            #expect(try await relay.flush().claimed == 0)
        }
    }

    @Test func aLargeBatchIsAppendedInChunks() async throws {
        try await TestDatabase.withDatabase { database in
            let messages = (0..<2_345).map { StorageFixtures.event(number: $0) }
            try await StorageFixtures.append(messages, to: database)
            #expect(try await StorageFixtures.integer("SELECT count(*) FROM outbox", on: database) == 2_345)
        }
    }

    @Test func anAppendRollsBackWithItsTransaction() async throws {
        try await TestDatabase.withDatabase { database in
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await database.withTransaction { connection in
                    try await OutboxWriter.append([StorageFixtures.event()], producer: "minhu-intake", on: connection,
                                                  logger: TestDatabase.logger)
                    throw Abort()
                }
            }
            #expect(try await StorageFixtures.integer("SELECT count(*) FROM outbox", on: database) == 0)
            // A duplicate message id fails the producer's transaction.
            let message = StorageFixtures.event()
            try await StorageFixtures.append([message], to: database)
            do {
                try await StorageFixtures.append([message], to: database)
                Issue.record("a duplicate message id was accepted")
            } catch {
                #expect(PostgresErrorDetails(error).sqlState == "23505")
            }
        }
    }

    @Test func returnedAndNackedRowsWaitWithoutBlockingTheRowsBehind() async throws {
        try await TestDatabase.withDatabase { database in
            let publisher = RecordingPublisher()
            let metrics = StorageTestMetrics()
            let messages = (0..<5).map { StorageFixtures.event(number: $0) }
            await publisher.setOutcome(.returned("NO_ROUTE"), for: messages[0].messageID)
            await publisher.setOutcome(.nacked, for: messages[2].messageID)
            try await StorageFixtures.append(messages, to: database)
            // A backoff far longer than the test: the retries below are made due by moving `next_attempt_at`, so
            // no step depends on how fast a loaded machine runs.
            var configuration = Self.quick
            configuration.retryBackoff = RelayBackoff(initial: .seconds(600), maximum: .seconds(1_200))
            let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake",
                                    configuration: configuration, logger: TestDatabase.logger, metricsFactory: metrics)

            let first = try await relay.flush()
            #expect(first.published == 3 && first.failed == 2)
            #expect(await publisher.confirmedIDs == [messages[1], messages[3], messages[4]].map(\.messageID))
            let failed = try await database.withConnection { connection in
                let rows = try await connection.guardedQuery("""
                    SELECT message_id, attempts, last_error, next_attempt_at > now() + interval '500 seconds'
                    FROM outbox WHERE published_at IS NULL ORDER BY id
                    """, logger: TestDatabase.logger)
                return try await rows.decode((UUID, Int, String, Bool).self).collectAll()
            }
            #expect(failed.map(\.0) == [messages[0].messageID, messages[2].messageID])
            #expect(failed.allSatisfy { $0.1 == 1 && $0.3 }) // one attempt, the first backoff (600 s) ahead
            #expect(failed[0].2.contains("NO_ROUTE"))
            #expect(failed[1].2.contains("nacked"))
            #expect(metrics.value("minhu_outbox_published_total", [("producer", "minhu-intake")]) == 3)
            #expect(metrics.value("minhu_outbox_failed_total", [("producer", "minhu-intake"), ("reason", "returned")]) == 1)
            #expect(metrics.value("minhu_outbox_failed_total", [("producer", "minhu-intake"), ("reason", "nacked")]) == 1)

            // Not due yet: an immediate flush claims nothing.
            #expect(try await relay.flush().claimed == 0)

            // New rows behind the waiting ones go straight through.
            let later = StorageFixtures.event(number: 9)
            try await StorageFixtures.append([later], to: database)
            #expect(try await relay.flush().published == 1)

            // Once the backoff has run out (here: moved into the past) they are retried; still refused, they back
            // off twice as long.
            try await makeWaitingRowsDue(on: database)
            #expect(try await relay.flush().claimed == 2)
            #expect(try await StorageFixtures.integer("""
                SELECT count(*) FROM outbox
                WHERE published_at IS NULL AND attempts = 2 AND next_attempt_at > now() + interval '1100 seconds'
                """, on: database) == 2)

            // The broker accepts them now: published on the next due round, exactly once.
            await publisher.setOutcome(.confirmed, for: messages[0].messageID)
            await publisher.setOutcome(.confirmed, for: messages[2].messageID)
            #expect(try await relay.flush().claimed == 0)
            try await makeWaitingRowsDue(on: database)
            #expect(try await relay.flush().published == 2)
            #expect(try await relay.pendingCount() == 0)
            let confirmed = await publisher.confirmedIDs
            #expect(Set(confirmed) == Set((messages + [later]).map(\.messageID)))
            #expect(confirmed.count == 6)
        }
    }

    @Test func aFailedPublishLeavesTheRowsUntouched() async throws {
        try await TestDatabase.withDatabase { database in
            let publisher = RecordingPublisher()
            let metrics = StorageTestMetrics()
            try await StorageFixtures.append((0..<3).map { StorageFixtures.event(number: $0) }, to: database)
            let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake",
                                    configuration: Self.quick, logger: TestDatabase.logger, metricsFactory: metrics)
            await publisher.failNextCalls(1)
            await #expect(throws: RecordingPublisher.ConnectionLost.self) { try await relay.relayOnce() }
            #expect(try await StorageFixtures.integer(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL AND attempts = 0 AND last_error IS NULL",
                on: database) == 3)
            #expect(metrics.value("minhu_outbox_failed_total", [("producer", "minhu-intake"), ("reason", "error")]) == 3)
            #expect(try await relay.flush().published == 3)
        }
    }

    @Test func twoRelaysOfOneProducerPublishEachRowOnce() async throws {
        try await TestDatabase.withDatabase { database in
            let publisher = RecordingPublisher(delay: .milliseconds(5))
            let messages = (0..<1_500).map { StorageFixtures.event(number: $0) }
            // Appended while the relays run, in several transactions.
            let relays = (0..<2).map { _ in
                OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake",
                            configuration: Self.quick, logger: TestDatabase.logger)
            }
            let other = StorageFixtures.event(producer: "minhu-dispatcher", type: "appeal.classified")
            try await StorageFixtures.append([other], producer: "minhu-dispatcher", to: database)
            try await withRelays(relays) {
                for chunk in stride(from: 0, to: messages.count, by: 250) {
                    try await StorageFixtures.append(Array(messages[chunk..<chunk + 250]), to: database)
                }
                #expect(try await TestDatabase.waitUntil(timeout: .seconds(60)) {
                    await publisher.confirmed.count >= messages.count
                })
            }
            let confirmed = await publisher.confirmedIDs
            #expect(confirmed.count == messages.count)
            #expect(Set(confirmed) == Set(messages.map(\.messageID)))
            #expect(await publisher.attempts.values.allSatisfy { $0 == 1 })
            // The other producer's row is not theirs to relay.
            #expect(!confirmed.contains(other.messageID))
            #expect(try await StorageFixtures.integer(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL", on: database) == 1)
        }
    }

    @Test func aNotificationWakesTheRelayWithoutPolling() async throws {
        try await TestDatabase.withDatabase { database in
            let publisher = RecordingPublisher()
            var configuration = Self.quick
            configuration.pollInterval = .seconds(120) // polling cannot be what publishes
            let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake",
                                    configuration: configuration, logger: TestDatabase.logger)
            try await withRelays([relay]) {
                #expect(try await waitForListener(on: database))
                let clock = ContinuousClock()
                let start = clock.now
                let message = StorageFixtures.event()
                try await StorageFixtures.append([message], to: database)
                #expect(try await TestDatabase.waitUntil(timeout: .seconds(90)) {
                    await publisher.confirmedIDs == [message.messageID]
                })
                // Well below the 120 s poll interval: the notification woke it (generous for loaded CI machines).
                #expect(clock.now - start < .seconds(60))

                // The LISTEN connection dies (as in a database restart): the relay listens again and catches up.
                _ = try await database.withConnection { connection in
                    try await connection.guardedQuery("""
                        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                        WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()
                        """, logger: TestDatabase.logger)
                }
                let second = StorageFixtures.event(number: 1)
                try await StorageFixtures.append([second], to: database)
                #expect(try await TestDatabase.waitUntil {
                    await publisher.confirmedIDs == [message.messageID, second.messageID]
                })
                #expect(try await waitForListener(on: database))
                let third = StorageFixtures.event(number: 2)
                try await StorageFixtures.append([third], to: database)
                #expect(try await TestDatabase.waitUntil {
                    await publisher.confirmedIDs.count == 3
                })
            }
        }
    }

    @Test func gracefulShutdownFlushesWhatIsPending() async throws {
        try await TestDatabase.withDatabase { database in
            let publisher = RecordingPublisher()
            var configuration = Self.quick
            configuration.pollInterval = .seconds(120)
            configuration.listens = false // nothing wakes it but the start and the shutdown
            configuration.shutdownFlushTimeout = .seconds(120) // a loaded CI machine can take > 10 s for 250 rows
            let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake",
                                    configuration: configuration, logger: TestDatabase.logger)
            // Rows are waiting, and the broker connection is down for the first round: after it, nothing wakes
            // the relay again (no LISTEN, a long poll interval) but the shutdown, whose final flush must publish.
            let messages = (0..<250).map { StorageFixtures.event(number: $0) }
            try await StorageFixtures.append(messages, to: database)
            await publisher.failNextCalls(1)
            let group = ServiceGroup(services: [relay], logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                #expect(try await TestDatabase.waitUntil { await publisher.calls == 1 })
                #expect(await publisher.confirmed.isEmpty)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(await publisher.confirmed.count == 250)
            #expect(try await relay.pendingCount() == 0)
        }
    }

    // MARK: - Helpers

    /// Runs the relays as services during `body`, then shuts them down gracefully.
    func withRelays(_ relays: [OutboxRelay], _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(services: relays, logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body()
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Moves the retry time of every waiting row into the past, as if its backoff had run out.
    func makeWaitingRowsDue(on database: MinhuDatabase) async throws {
        _ = try await database.withConnection { connection in
            try await connection.guardedQuery(
                "UPDATE outbox SET next_attempt_at = now() - interval '1 second' WHERE published_at IS NULL",
                logger: TestDatabase.logger)
        }
    }

    /// Waits until a connection of this database is listening on `minhu_outbox`.
    func waitForListener(on database: MinhuDatabase) async throws -> Bool {
        try await TestDatabase.waitUntil {
            try await StorageFixtures.integer("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND state = 'idle'
                """, on: database) > 0
        }
    }
}
