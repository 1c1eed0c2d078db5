import Foundation
import Logging
import Metrics
import MinhuModels
import PostgresNIO
import ServiceLifecycle

/// Publishes one producer's outbox rows to the broker, as a `Service`.
///
/// Each round: claim up to ``Configuration/batchSize`` due, unpublished rows of the producer in one statement
/// (`ORDER BY id FOR UPDATE SKIP LOCKED`, moving their `next_attempt_at` a lease ahead, so several relays of one
/// producer share the work), publish them through `MessagePublishing` (which waits for the broker's confirms) with
/// no transaction open, then, in one transaction, mark the confirmed rows published and give each returned or
/// nacked row `attempts + 1`, its `last_error` and `next_attempt_at = now + backoff(attempts)`: a refused row waits
/// without holding back the rows behind it. When `publish` throws (the broker connection is down) the rows are
/// released (due again), nothing is counted against them, and the relay waits with backoff. When the database
/// fails after the publish, the outcomes are saved at the next round. A row is published twice only when its relay
/// dies (or waits past the lease) between claim and save; consumers deduplicate by message id. It never relays
/// "by id greater than the last seen": ids become visible out of order. (Until 2026-11-25 the whole round ran in
/// one transaction, held open for as long as the broker made the publish wait.)
///
/// Rounds are triggered by `LISTEN minhu_outbox` (a notification whose payload is the producer, sent on commit by
/// the outbox trigger), by polling every ``Configuration/pollInterval`` as the fallback, and right after the
/// `LISTEN` is (re-)established, which happens in a loop with backoff when its connection dies (e.g. a database
/// restart). A full batch is followed by another round at once.
///
/// Graceful shutdown: the current round finishes, then a final flush publishes what is due, bounded by
/// ``Configuration/shutdownFlushTimeout``, and ``run()`` returns.
///
/// Metrics (dimension `producer`): counters `minhu_outbox_published_total` and
/// `minhu_outbox_failed_total{reason=returned|nacked|error}` (rows), gauge `minhu_outbox_pending` (unpublished
/// rows, due or not).
///
/// ```swift
/// let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake", logger: logger)
/// let group = ServiceGroup(services: [database, publisherService, relay, …], …)   // relay after the pool
/// ```
public final class OutboxRelay: Service, Sendable {
    /// The `reason` values of `minhu_outbox_failed_total`: not routed, nacked, refused by the broker closing the
    /// channel (403 / 404 / 406), or another error. Every one has its counter (until 2026-11-24 `refused` had none,
    /// so broker refusals were never counted).
    public static let failureReasons = ["returned", "nacked", "refused", "error"]

    /// How a relay runs.
    public struct Configuration: Sendable, Hashable {
        /// Rows claimed and published per round (one claim, one batch of confirms, one transaction of outcomes).
        public var batchSize: Int
        /// How often to look for due rows when no notification comes (the fallback; also what brings back rows
        /// whose backoff has run out).
        public var pollInterval: Duration
        /// The wait of a returned or nacked row after its n-th failure.
        public var retryBackoff: RelayBackoff
        /// The wait after the publisher or the database failed a whole round, and between LISTEN attempts.
        public var failureBackoff: RelayBackoff
        /// The bound on the final flush at graceful shutdown.
        public var shutdownFlushTimeout: Duration
        /// Whether to LISTEN for notifications (polling alone when false).
        public var listens: Bool
        /// How long claimed rows stay claimed: when their relay dies between claim and save, other relays (or its
        /// next start) publish them once this has passed.
        public var claimLease: Duration

        public init(batchSize: Int = 500, pollInterval: Duration = .seconds(1),
                    retryBackoff: RelayBackoff = RelayBackoff(initial: .seconds(1), maximum: .seconds(300)),
                    failureBackoff: RelayBackoff = RelayBackoff(initial: .milliseconds(250), maximum: .seconds(30)),
                    shutdownFlushTimeout: Duration = .seconds(10), listens: Bool = true,
                    claimLease: Duration = .seconds(60)) {
            precondition(batchSize > 0, "batchSize must be positive")
            precondition(claimLease > .zero, "claimLease must be positive")
            self.claimLease = claimLease
            self.batchSize = batchSize
            self.pollInterval = pollInterval
            self.retryBackoff = retryBackoff
            self.failureBackoff = failureBackoff
            self.shutdownFlushTimeout = shutdownFlushTimeout
            self.listens = listens
        }
    }

    /// What one or more rounds did.
    public struct Round: Sendable, Hashable {
        /// Rows claimed (locked) for publishing.
        public var claimed = 0
        /// Rows the broker confirmed, now marked published.
        public var published = 0
        /// Rows returned, nacked or unreadable, now waiting for their retry.
        public var failed = 0

        public init() {}

        static func + (lhs: Round, rhs: Round) -> Round {
            var sum = lhs
            sum.claimed += rhs.claimed
            sum.published += rhs.published
            sum.failed += rhs.failed
            return sum
        }
    }

    public let producer: String
    public let configuration: Configuration
    let database: MinhuDatabase
    let publisher: any MessagePublishing
    let logger: Logger
    let metrics: RelayMetrics
    /// Outcomes of rounds whose save failed (the database went away after the publish), saved first next round.
    private let unsavedOutcomes = UnsavedOutcomes()
    /// The saves and releases under way, each in a task of its own (a cancelled round's too); `run()` waits for
    /// them before it returns, so that the pool they need is still open (the service group closes it after the
    /// relay).
    private let detachedWork = DetachedWork()

    /// - Parameters:
    ///   - producer: the outbox producer whose rows this relay publishes, e.g. `minhu-intake`.
    ///   - metricsFactory: where metrics go; nil for the global `MetricsSystem`.
    public init(database: MinhuDatabase, publisher: any MessagePublishing, producer: String,
                configuration: Configuration = Configuration(), logger: Logger,
                metricsFactory: (any MetricsFactory)? = nil) {
        self.database = database
        self.publisher = publisher
        self.producer = producer
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "outbox.producer"] = "\(producer)"
        self.logger = logger
        self.metrics = RelayMetrics(producer: producer, factory: metricsFactory ?? MetricsSystem.factory)
    }

    // MARK: - Service

    public func run() async throws {
        let (triggers, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wake.yield()
        logger.info("outbox relay started")
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                if configuration.listens {
                    group.addTask { await self.listen(wake: wake) }
                }
                group.addTask { await self.poll(wake: wake) }
                var failures = 0
                for await _ in triggers {
                    failures = await self.drain(failures: failures)
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            wake.finish()
        }
        if Task.isCancelled {
            logger.info("outbox relay cancelled")
            return
        }
        // Final flush: publish what is due, bounded in time.
        let flushing = Task { try await self.flush() }
        do {
            let round = try await withDeadline(configuration.shutdownFlushTimeout) { try await flushing.value }
            logger.info("outbox relay stopped after a final flush", metadata: ["outbox.published": "\(round.published)"])
        } catch {
            logger.warning("outbox relay stopping; final flush incomplete, the rows wait for the next start",
                           metadata: ["error": "\(PostgresErrorDetails(error))"])
            // No new round; but a publish the broker answers now is still saved, if it comes within the grace,
            // while the pool is open (the service group closes it after the relay).
            flushing.cancel()
            let ended: Bool = (try? await withDeadline(Self.finishingGrace) {
                _ = await flushing.result
                await self.detachedWork.waitForAll()
                return true
            }) ?? false
            if !ended {
                logger.warning("outbox relay stopped with a round unfinished; its rows are published again later")
            }
        }
        await updatePendingGauge()
    }

    /// How long `run()` waits, after the final flush's deadline, for the round under way to end.
    static let finishingGrace = Duration.seconds(5)

    // MARK: - Rounds

    /// Runs rounds until no due row is left (rows waiting for a retry are not due); for tests and shutdown.
    /// - Throws: the publisher's or the database's error (what was published before it stays published).
    @discardableResult
    public func flush() async throws -> Round {
        var total = Round()
        while true {
            let round = try await relayOnce()
            total = total + round
            if round.claimed < configuration.batchSize { return total }
        }
    }

    /// One round: save the outcomes an earlier round could not save, claim, publish, then save the outcomes.
    ///
    /// No transaction is open while the broker is waited for (under a memory or disk alarm that can be hours,
    /// and an open transaction holds back vacuum everywhere and would be ended by `idle_in_transaction_session_
    /// timeout`). The claim is one statement that moves the rows' `next_attempt_at` a lease ahead
    /// (``Configuration/claimLease``), so that no other relay claims them meanwhile.
    /// - Throws: the publisher's error (the claimed rows are released, due again at once) or the database's (the
    ///   outcomes wait in memory for the next round; if the process dies first, the lease runs out and the rows are
    ///   published again, which consumers deduplicate by message id).
    @discardableResult
    public func relayOnce() async throws -> Round {
        try await saveUnsavedOutcomes()
        let claimed = try await claim()
        var round = Round()
        round.claimed = claimed.count
        guard !claimed.isEmpty else { return round }

        var outcomes = RoundOutcomes()
        var publishable: [(row: ClaimedRow, message: OutgoingMessage)] = []
        for row in claimed {
            switch row.message() {
            case .success(let message): publishable.append((row, message))
            case .failure(let problem): outcomes.failures.append((row, "error", "unreadable row: \(problem)"))
            }
        }
        if !publishable.isEmpty {
            do {
                try await publish(publishable, into: &outcomes)
            } catch {
                metrics.failed(reason: "error", count: publishable.count)
                await release(claimed)
                throw error
            }
        }
        metrics.published(count: outcomes.confirmedIDs.count)
        for reason in OutboxRelay.failureReasons {
            metrics.failed(reason: reason, count: outcomes.failures.filter { $0.reason == reason }.count)
        }
        for failure in outcomes.failures {
            logger.warning("outbox row not published; retrying later", metadata: [
                "message.id": "\(failure.row.messageID)", "outbox.attempts": "\(failure.row.attempts + 1)",
                "error": "\(failure.error)",
            ])
        }
        do {
            // A task of its own, as in `release`: the outcomes are saved even when the round's task is cancelled.
            let toSave = outcomes
            try await detachedWork.run { try await self.save(toSave) }
        } catch {
            unsavedOutcomes.append(outcomes)
            logger.warning("outbox round published but could not mark its rows; saving at the next round",
                           metadata: ["outbox.published": "\(outcomes.confirmedIDs.count)",
                                      "error": "\(PostgresErrorDetails(error))"])
            throw error
        }
        round.published = outcomes.confirmedIDs.count
        round.failed = outcomes.failures.count
        return round
    }

    /// Claims up to a batch of due rows: one statement (no transaction is left open) that locks them with `SKIP
    /// LOCKED` and moves their `next_attempt_at` a lease ahead; in id order.
    private func claim() async throws -> [ClaimedRow] {
        let producer = self.producer
        let batchSize = configuration.batchSize
        let leaseMilliseconds = configuration.claimLease.wholeMilliseconds
        let logger = self.logger
        let claimed = try await database.withConnection { connection in
            let rows = try await connection.guardedQuery("""
                WITH due AS MATERIALIZED (
                    SELECT id FROM outbox
                    WHERE producer = \(producer) AND published_at IS NULL AND next_attempt_at <= now()
                    ORDER BY id
                    LIMIT \(batchSize)
                    FOR UPDATE SKIP LOCKED)
                UPDATE outbox AS o
                SET next_attempt_at = clock_timestamp() + \(leaseMilliseconds) * interval '1 millisecond'
                FROM due
                WHERE o.id = due.id
                RETURNING o.id, o.message_id, o.exchange, o.routing_key, o.type, o.occurred_at, o.correlation_id,
                          o.app_id, o.user_id, o.schema_version, o.headers::text, o.body, o.attempts,
                          (extract(epoch FROM o.next_attempt_at) * 1000000)::bigint
                """, logger: logger)
            var claimed: [ClaimedRow] = []
            for try await row in rows.decode(ClaimedRow.Columns.self) {
                claimed.append(ClaimedRow(row))
            }
            return claimed
        }
        return claimed.sorted { $0.id < $1.id }
    }

    /// Publishes `publishable` and records each row's outcome in `outcomes`.
    /// - Throws: the publisher's error when the whole batch failed (the broker connection is down).
    private func publish(_ publishable: [(row: ClaimedRow, message: OutgoingMessage)],
                         into outcomes: inout RoundOutcomes) async throws {
        var results: [PublishOutcome?]
        do {
            results = try await publisher.publish(publishable.map(\.message))
        } catch is PublishRefused {
            // One message made the broker close the channel and it does not say which: each alone, so the refused
            // ones wait with their reason and the rest go out (some a second time: consumers deduplicate by message
            // id).
            results = []
            for item in publishable {
                do {
                    guard let result = try await publisher.publish([item.message]).first else {
                        throw DatabaseError.outcomeCountMismatch(expected: 1, got: 0)
                    }
                    results.append(result)
                } catch let refused as PublishRefused {
                    results.append(nil)
                    outcomes.failures.append((item.row, "refused", "\(refused)"))
                }
            }
        }
        guard results.count == publishable.count else {
            throw DatabaseError.outcomeCountMismatch(expected: publishable.count, got: results.count)
        }
        for (item, result) in zip(publishable, results) {
            switch result {
            case .confirmed?: outcomes.confirmedIDs.append(item.row.id)
            case .returned(let text)?: outcomes.failures.append((item.row, "returned", "returned by the broker: \(text)"))
            case .nacked?: outcomes.failures.append((item.row, "nacked", "nacked by the broker"))
            case nil: break  // refused, recorded above
            }
        }
    }

    /// Marks the confirmed rows published and gives each failed row `attempts + 1`, its error and its retry time,
    /// in one transaction. A row another relay published meanwhile is left as that relay marked it, and a failure
    /// is saved only on a row this relay still holds (its lease unchanged): once the lease has run out and another
    /// relay has claimed the row, that relay's outcome counts.
    private func save(_ outcomes: RoundOutcomes) async throws {
        let retryBackoff = configuration.retryBackoff
        let logger = self.logger
        try await database.withTransaction { connection in
            if !outcomes.confirmedIDs.isEmpty {
                try await connection.guardedQuery("""
                    UPDATE outbox SET published_at = clock_timestamp()
                    WHERE id = ANY(\(outcomes.confirmedIDs)) AND published_at IS NULL
                    """, logger: logger)
            }
            if !outcomes.failures.isEmpty {
                let ids = outcomes.failures.map(\.row.id)
                let leases = outcomes.failures.map(\.row.lease)
                let errors = outcomes.failures.map(\.error)
                let delays = outcomes.failures.map { failure -> Int64 in
                    retryBackoff.delay(afterAttempts: failure.row.attempts + 1).wholeMilliseconds
                }
                try await connection.guardedQuery("""
                    UPDATE outbox AS o
                    SET attempts = o.attempts + 1,
                        last_error = f.error,
                        next_attempt_at = clock_timestamp() + f.delay_ms * interval '1 millisecond'
                    FROM unnest(\(ids), \(leases), \(errors), \(delays)) AS f(id, lease, error, delay_ms)
                    WHERE o.id = f.id AND o.published_at IS NULL
                      AND (extract(epoch FROM o.next_attempt_at) * 1000000)::bigint = f.lease
                    """, logger: logger)
            }
        }
    }

    /// Saves the outcomes of earlier rounds that could not be saved (the database failed after the publish).
    private func saveUnsavedOutcomes() async throws {
        let waiting = unsavedOutcomes.takeAll()
        for (index, outcomes) in waiting.enumerated() {
            do {
                try await save(outcomes)
            } catch {
                let rest = waiting[index...]
                unsavedOutcomes.putBack(Array(rest))
                throw error
            }
        }
        if !waiting.isEmpty {
            logger.info("outbox outcomes of an earlier round saved", metadata: ["outbox.rounds": "\(waiting.count)"])
        }
    }

    /// Makes claimed rows due again at once after a publish failed, those this relay still holds (best effort: when
    /// the database fails too, the lease runs out instead). Their attempts are not counted: the broker was not
    /// reached.
    private func release(_ claimed: [ClaimedRow]) async {
        let ids = claimed.map(\.id)
        let leases = claimed.map(\.lease)
        let logger = self.logger
        let database = self.database
        do {
            // A task of its own: the round's task may be cancelled (a shutdown's flush past its deadline), and the
            // pool refuses a cancelled task a connection.
            try await detachedWork.run {
                _ = try await database.withConnection { connection in
                    try await connection.guardedQuery("""
                        UPDATE outbox AS o SET next_attempt_at = clock_timestamp()
                        FROM unnest(\(ids), \(leases)) AS f(id, lease)
                        WHERE o.id = f.id AND o.published_at IS NULL
                          AND (extract(epoch FROM o.next_attempt_at) * 1000000)::bigint = f.lease
                        """, logger: logger)
                }
            }
        } catch {
            logger.warning("cannot release the claimed outbox rows; they are due again when their lease runs out",
                           metadata: ["error": "\(PostgresErrorDetails(error))"])
        }
    }

    /// The producer's unpublished rows (due or waiting for a retry).
    public func pendingCount() async throws -> Int {
        let producer = self.producer
        let logger = self.logger
        return try await database.withConnection { connection in
            let rows = try await connection.guardedQuery(
                "SELECT count(*) FROM outbox WHERE producer = \(producer) AND published_at IS NULL", logger: logger)
            for try await count in rows.decode(Int.self) { return count }
            return 0
        }
    }

    // MARK: - Loops

    /// Rounds until a round claims less than a full batch (or graceful shutdown begins); on failure, waits with
    /// backoff. Returns the number of consecutive failed rounds.
    private func drain(failures: Int) async -> Int {
        var failures = failures
        while true {
            do {
                let round = try await relayOnce()
                failures = 0
                if round.claimed > 0 {
                    logger.debug("outbox round", metadata: [
                        "outbox.claimed": "\(round.claimed)", "outbox.published": "\(round.published)",
                        "outbox.failed": "\(round.failed)",
                    ])
                }
                if round.claimed < configuration.batchSize || Task.isShuttingDownGracefully || Task.isCancelled {
                    if round.claimed > 0 { await updatePendingGauge() }
                    return failures
                }
            } catch {
                failures += 1
                let delay = configuration.failureBackoff.delay(afterAttempts: failures)
                logger.warning("outbox round failed; rows left for a later round", metadata: [
                    "error": "\(PostgresErrorDetails(error))", "retry.in": "\(delay)",
                ])
                await updatePendingGauge()
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
                return failures
            }
        }
    }

    /// Wakes the relay every poll interval.
    private func poll(wake: AsyncStream<Void>.Continuation) async {
        var ticks = 0
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.pollInterval)
            } catch {
                return
            }
            wake.yield()
            ticks += 1
            // The gauge also follows rows whose retry time comes and goes while nothing else happens.
            if ticks % 10 == 0 { await updatePendingGauge() }
        }
    }

    /// Holds `LISTEN minhu_outbox` on a connection of its own, waking the relay for each notification of this
    /// producer; re-establishes it with backoff when the connection dies.
    private func listen(wake: AsyncStream<Void>.Continuation) async {
        let producer = self.producer
        var failures = 0
        while !Task.isCancelled {
            do {
                try await database.withConnection { connection in
                    try await connection.listen(on: MinhuStorage.outboxChannel) { notifications in
                        if failures > 0 {
                            logger.info("outbox LISTEN re-established")
                        }
                        failures = 0
                        wake.yield() // rows committed while nobody listened
                        for try await notification in notifications where notification.payload == producer {
                            wake.yield()
                        }
                    }
                }
                if Task.isCancelled { return }
                failures += 1
            } catch {
                if Task.isCancelled { return }
                failures += 1
                logger.warning("outbox LISTEN lost; polling meanwhile", metadata: [
                    "error": "\(PostgresErrorDetails(error))",
                ])
            }
            do {
                try await Task.sleep(for: configuration.failureBackoff.delay(afterAttempts: failures))
            } catch {
                return
            }
        }
    }

    private func updatePendingGauge() async {
        do {
            let pending = try await pendingCount()
            metrics.pending.record(pending)
        } catch {
            logger.debug("cannot count pending outbox rows", metadata: ["error": "\(PostgresErrorDetails(error))"])
        }
    }
}

extension OutboxRelay {
    /// One claimed outbox row.
    struct ClaimedRow: Sendable {
        var id: Int64
        var messageID: UUID
        var exchange: String
        var routingKey: String
        var type: String
        var occurredAt: Date
        var correlationID: String?
        var appID: String
        var userID: String?
        var schemaVersion: Int
        var headersJSON: String
        var body: String
        var attempts: Int
        /// The row's `next_attempt_at` as set by this claim, in microseconds since 1970: what shows that the row is
        /// still this relay's when its failure is saved or it is released (another relay may have claimed it since
        /// the lease ran out).
        var lease: Int64

        typealias Columns = (Int64, UUID, String, String, String, Date, String?, String, String?, Int, String, String,
                             Int, Int64)

        init(_ row: Columns) {
            (id, messageID, exchange, routingKey, type, occurredAt, correlationID, appID, userID, schemaVersion,
             headersJSON, body, attempts, lease) = row
        }

        /// The message to publish, exactly as the producer appended it.
        func message() -> Result<OutgoingMessage, RowProblem> {
            let headers: [String: String]
            do {
                headers = try JSONDecoder().decode([String: String].self, from: Data(headersJSON.utf8))
            } catch {
                return .failure(RowProblem(text: "headers are not an object of strings"))
            }
            return .success(OutgoingMessage(
                messageID: messageID, exchange: exchange, routingKey: routingKey, type: type, timestamp: occurredAt,
                correlationID: correlationID, appID: appID, userID: userID, schemaVersion: schemaVersion,
                headers: headers, body: Data(body.utf8)))
        }
    }

    /// What the broker said about the rows of one round, to be saved.
    struct RoundOutcomes: Sendable {
        var confirmedIDs: [Int64] = []
        var failures: [(row: ClaimedRow, reason: String, error: String)] = []
    }

    struct RowProblem: Error, CustomStringConvertible {
        var text: String
        var description: String { text }
    }

    /// The relay's metric handles.
    struct RelayMetrics: Sendable {
        let publishedCounter: Counter
        let failedCounters: [String: Counter]
        let pending: Gauge

        init(producer: String, factory: any MetricsFactory) {
            publishedCounter = Counter(label: "minhu_outbox_published_total", dimensions: [("producer", producer)],
                                       factory: factory)
            var failed: [String: Counter] = [:]
            for reason in OutboxRelay.failureReasons {
                failed[reason] = Counter(label: "minhu_outbox_failed_total",
                                         dimensions: [("producer", producer), ("reason", reason)], factory: factory)
            }
            failedCounters = failed
            pending = Gauge(label: "minhu_outbox_pending", dimensions: [("producer", producer)], factory: factory)
        }

        func published(count: Int) {
            if count > 0 { publishedCounter.increment(by: count) }
        }

        func failed(reason: String, count: Int) {
            if count > 0 { failedCounters[reason]?.increment(by: count) }
        }
    }
}

/// The outcomes a relay could not save yet, shared by its rounds (a lock: rounds may run in several tasks, `flush()`
/// beside the service loop in tests).
final class UnsavedOutcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [OutboxRelay.RoundOutcomes] = []

    /// Keeps the outcomes of the latest round, to be saved after those kept before.
    func append(_ outcomes: OutboxRelay.RoundOutcomes) {
        lock.withLock { pending.append(outcomes) }
    }

    /// Puts back outcomes taken with `takeAll()` and not saved, ahead of any kept meanwhile.
    func putBack(_ outcomes: [OutboxRelay.RoundOutcomes]) {
        lock.withLock { pending.insert(contentsOf: outcomes, at: 0) }
    }

    /// Takes every kept outcome, oldest first.
    func takeAll() -> [OutboxRelay.RoundOutcomes] {
        lock.withLock {
            defer { pending.removeAll() }
            return pending
        }
    }
}

/// Work a relay runs in tasks of its own (saving outcomes, releasing rows), so that a cancelled round still does
/// it; `waitForAll()` lets `run()` wait for it before the pool closes.
final class DetachedWork: @unchecked Sendable {
    private let lock = NSLock()
    private var running: [Int: Task<Void, Never>] = [:]
    private var nextKey = 0

    /// Runs `body` in a task of its own, which the caller's cancellation does not reach, and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let key = lock.withLock {
            nextKey += 1
            running[nextKey] = Task { _ = await task.result }
            return nextKey
        }
        defer { lock.withLock { running[key] = nil } }
        return try await task.value
    }

    /// Returns once the work under way now has ended.
    func waitForAll() async {
        for task in lock.withLock({ Array(running.values) }) { await task.value }
    }
}
