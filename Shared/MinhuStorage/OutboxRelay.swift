import Foundation
import Logging
import Metrics
import MinhuModels
import PostgresNIO
import ServiceLifecycle

/// Publishes one producer's outbox rows to the broker, as a `Service`.
///
/// Each round, in one transaction: claim up to ``Configuration/batchSize`` due, unpublished rows of the producer
/// (`ORDER BY id FOR UPDATE SKIP LOCKED`, so several relays of one producer share the work and never publish a row
/// twice), publish them through `MessagePublishing` (which waits for the broker's confirms), then mark the
/// confirmed rows published and give each returned or nacked row `attempts + 1`, its `last_error` and
/// `next_attempt_at = now + backoff(attempts)`: a refused row waits without holding back the rows behind it. When
/// `publish` throws (the broker connection is down) the transaction rolls back, nothing is marked, and the relay
/// waits with backoff. It never relays "by id greater than the last seen": ids become visible out of order.
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
        /// Rows claimed and published per round (one transaction, one batch of confirms).
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

        public init(batchSize: Int = 500, pollInterval: Duration = .seconds(1),
                    retryBackoff: RelayBackoff = RelayBackoff(initial: .seconds(1), maximum: .seconds(300)),
                    failureBackoff: RelayBackoff = RelayBackoff(initial: .milliseconds(250), maximum: .seconds(30)),
                    shutdownFlushTimeout: Duration = .seconds(10), listens: Bool = true) {
            precondition(batchSize > 0, "batchSize must be positive")
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
        do {
            let round = try await withDeadline(configuration.shutdownFlushTimeout) { try await self.flush() }
            logger.info("outbox relay stopped after a final flush", metadata: ["outbox.published": "\(round.published)"])
        } catch {
            logger.warning("outbox relay stopped; final flush incomplete, the rows wait for the next start",
                           metadata: ["error": "\(PostgresErrorDetails(error))"])
        }
        await updatePendingGauge()
    }

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

    /// One round: claim, publish, mark — in one transaction.
    @discardableResult
    public func relayOnce() async throws -> Round {
        let producer = self.producer
        let batchSize = configuration.batchSize
        let retryBackoff = configuration.retryBackoff
        let publisher = self.publisher
        let logger = self.logger
        let metrics = self.metrics
        return try await database.withTransaction { connection in
            let rows = try await connection.guardedQuery("""
                SELECT id, message_id, exchange, routing_key, type, occurred_at, correlation_id, app_id, user_id,
                       schema_version, headers::text, body, attempts
                FROM outbox
                WHERE producer = \(producer) AND published_at IS NULL AND next_attempt_at <= now()
                ORDER BY id
                LIMIT \(batchSize)
                FOR UPDATE SKIP LOCKED
                """, logger: logger)
            var claimed: [ClaimedRow] = []
            for try await row in rows.decode(
                (Int64, UUID, String, String, String, Date, String?, String, String?, Int, String, String, Int).self)
            {
                claimed.append(ClaimedRow(row))
            }
            var round = Round()
            round.claimed = claimed.count
            guard !claimed.isEmpty else { return round }

            var failures: [(row: ClaimedRow, reason: String, error: String)] = []
            var publishable: [(row: ClaimedRow, message: OutgoingMessage)] = []
            for row in claimed {
                switch row.message() {
                case .success(let message): publishable.append((row, message))
                case .failure(let problem): failures.append((row, "error", "unreadable row: \(problem)"))
                }
            }

            var confirmedIDs: [Int64] = []
            if !publishable.isEmpty {
                var outcomes: [PublishOutcome?]
                do {
                    outcomes = try await publisher.publish(publishable.map(\.message))
                } catch is PublishRefused {
                    // One message made the broker close the channel and it does not say which: each alone, so the
                    // refused ones wait with their reason and the rest go out (some a second time: consumers
                    // deduplicate by message id).
                    outcomes = []
                    for item in publishable {
                        do {
                            outcomes.append(try await publisher.publish([item.message]).first)
                        } catch let refused as PublishRefused {
                            outcomes.append(nil)
                            failures.append((item.row, "refused", "\(refused)"))
                        } catch {
                            metrics.failed(reason: "error", count: publishable.count)
                            throw error
                        }
                    }
                } catch {
                    metrics.failed(reason: "error", count: publishable.count)
                    throw error
                }
                guard outcomes.count == publishable.count else {
                    metrics.failed(reason: "error", count: publishable.count)
                    throw DatabaseError.outcomeCountMismatch(expected: publishable.count, got: outcomes.count)
                }
                for (item, outcome) in zip(publishable, outcomes) {
                    switch outcome {
                    case .confirmed?: confirmedIDs.append(item.row.id)
                    case .returned(let text)?: failures.append((item.row, "returned", "returned by the broker: \(text)"))
                    case .nacked?: failures.append((item.row, "nacked", "nacked by the broker"))
                    case nil: break  // refused, recorded above
                    }
                }
            }

            if !confirmedIDs.isEmpty {
                try await connection.guardedQuery(
                    "UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY(\(confirmedIDs))",
                    logger: logger)
            }
            if !failures.isEmpty {
                let ids = failures.map(\.row.id)
                let errors = failures.map(\.error)
                let delays = failures.map { failure -> Int64 in
                    retryBackoff.delay(afterAttempts: failure.row.attempts + 1).wholeMilliseconds
                }
                try await connection.guardedQuery("""
                    UPDATE outbox AS o
                    SET attempts = o.attempts + 1,
                        last_error = f.error,
                        next_attempt_at = clock_timestamp() + f.delay_ms * interval '1 millisecond'
                    FROM unnest(\(ids), \(errors), \(delays)) AS f(id, error, delay_ms)
                    WHERE o.id = f.id
                    """, logger: logger)
                for failure in failures {
                    logger.warning("outbox row not published; retrying later", metadata: [
                        "message.id": "\(failure.row.messageID)", "outbox.attempts": "\(failure.row.attempts + 1)",
                        "error": "\(failure.error)",
                    ])
                }
            }
            round.published = confirmedIDs.count
            round.failed = failures.count
            metrics.published(count: confirmedIDs.count)
            for reason in OutboxRelay.failureReasons {
                metrics.failed(reason: reason, count: failures.filter { $0.reason == reason }.count)
            }
            return round
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

        init(_ row: (Int64, UUID, String, String, String, Date, String?, String, String?, Int, String, String, Int)) {
            (id, messageID, exchange, routingKey, type, occurredAt, correlationID, appID, userID, schemaVersion,
             headersJSON, body, attempts) = row
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
