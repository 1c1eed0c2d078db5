import Foundation
import Logging
import Metrics
import MinhuModels
import MinhuStorage
import PostgresNIO
import ServiceLifecycle

/// Emits `deadline.warning` (黄灯) and `deadline.overdue` (红灯) when running clocks cross their thresholds.
///
/// Every tick, in one transaction: lock the running clocks whose `next_check_at` has come (`FOR UPDATE SKIP
/// LOCKED`, so several watchers share the work and each row is handled by one), emit every threshold crossed and
/// not yet emitted, mark them on the row and move `next_check_at` on; the events go to the outbox in the same
/// transaction, with deterministic message ids (``DeadlineMessageID``). After downtime the first ticks emit what
/// fell due meanwhile, each once. Thresholds that an event in the log answered in time (a reply committed by its
/// producer but still queued for this service) are held instead (``DeadlineEventLog``).
public struct DeadlineWatcher: Service {
    public static let defaultBatchSize = 500
    /// How long a clock whose answer is in the event log but not applied yet waits before the next look.
    public static let holdInterval: TimeInterval = 15

    public let database: MinhuDatabase
    public let contexts: DeadlineContextProvider
    public let clock: any MinhuClock
    public let interval: Duration
    public let batchSize: Int
    public let logger: Logger
    /// When this watcher started, in real time: events that waited in the log while minhu-deadlines was down get
    /// their patience from then (`DeadlineEventLog.patience`).
    public let startedAt: Date
    /// Ticks that failed (`minhu_deadline_ticks_failed_total`): one that keeps failing (a row it cannot read, a
    /// missing grant) stops every warning and overdue while the database, and so `/health`, look fine.
    private let ticksFailed: Counter
    /// When the last tick succeeded, in Unix seconds (`minhu_deadline_last_tick_success_seconds`; alert on
    /// `time() - …` above a few intervals).
    private let lastSuccess: Gauge

    /// - Parameter metricsFactory: where the tick metrics go; nil for the global `MetricsSystem`.
    public init(database: MinhuDatabase, contexts: DeadlineContextProvider, clock: any MinhuClock,
                interval: Duration = .seconds(1), batchSize: Int = DeadlineWatcher.defaultBatchSize, logger: Logger,
                startedAt: Date = Date(), metricsFactory: (any MetricsFactory)? = nil) {
        self.startedAt = startedAt
        let factory = metricsFactory ?? MetricsSystem.factory
        ticksFailed = Counter(label: "minhu_deadline_ticks_failed_total", dimensions: [], factory: factory)
        lastSuccess = Gauge(label: "minhu_deadline_last_tick_success_seconds", dimensions: [], factory: factory)
        self.database = database
        self.contexts = contexts
        self.clock = clock
        self.interval = interval
        self.batchSize = batchSize
        self.logger = logger
    }

    /// What one tick did.
    public struct TickResult: Sendable, Hashable {
        /// Clocks locked and examined.
        public var clocks: Int
        /// Events appended to the outbox.
        public var emitted: Int
    }

    public func run() async throws {
        logger.info("deadline watcher started", metadata: ["watcher.interval": "\(interval)"])
        var lastHousekeeping: ContinuousClock.Instant?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if lastHousekeeping.map({ ContinuousClock.now - $0 >= Self.housekeepingInterval }) ?? true {
                lastHousekeeping = ContinuousClock.now
                await housekeeping()
            }
            let full = (await checkedTick()?.clocks ?? 0) >= batchSize
            if !full {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            }
        }
        logger.info("deadline watcher stopped")
    }

    /// One tick as the loop runs it: a failure is logged and counted, a success timestamped (the metrics above).
    @discardableResult
    public func checkedTick() async -> TickResult? {
        do {
            let result = try await tick()
            lastSuccess.record(Date().timeIntervalSince1970)
            return result
        } catch {
            ticksFailed.increment()
            logger.warning("deadline watcher tick failed", metadata: ["error": "\(PostgresErrorDetails(error))"])
            return nil
        }
    }

    /// How often the watcher removes kept events that waited too long for their dispatch (at start, then hourly).
    public static let housekeepingInterval: Duration = .seconds(3600)

    /// Removes kept events older than `DeadlineEarlyEvent.retention` (a failure is logged and tried next time), and
    /// warns when the working-day calendar ends soon (`DeadlineContextProvider.warnIfCalendarEndsSoon`).
    func housekeeping() async {
        let logger = self.logger
        await contexts.warnIfCalendarEndsSoon(logger: logger)
        do {
            let removed = try await database.withConnection { connection in
                try await DeadlineEarlyEvent.prune(on: connection, logger: logger)
            }
            if removed > 0 {
                logger.info("kept events whose dispatch never came removed",
                            metadata: ["events.removed": "\(removed)", "retention.days": "30"])
            }
        } catch {
            logger.warning("deadline housekeeping failed", metadata: ["error": "\(PostgresErrorDetails(error))"])
        }
    }

    /// The watcher's query: running clocks due by `$1`, through the partial index on `next_check_at`.
    public static let dueQuerySQL = """
        SELECT \(DeadlineClockRow.columns) FROM deadline_clocks
        WHERE state = 'running' AND next_check_at <= $1
        ORDER BY next_check_at LIMIT $2 FOR UPDATE SKIP LOCKED
        """

    /// Runs the watcher's due query alone (for `minhu bench deadlines`): how many rows it locks at `now`. Run it
    /// in a transaction (the locks last until its end).
    public static func countDue(at now: Date, limit: Int = defaultBatchSize, explain: Bool = false,
                                on connection: PostgresConnection, logger: Logger) async throws -> (Int, [String]) {
        var binds = PostgresBindings()
        binds.append(now)
        binds.append(limit)
        let sql = (explain ? "EXPLAIN " : "") + dueQuerySQL
        let rows = try await connection.guardedQuery(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        var count = 0
        var lines: [String] = []
        for try await row in rows {
            count += 1
            if explain, let line = try? row.decode(String.self) { lines.append(line) }
        }
        return (count, lines)
    }

    /// One tick, at the clock's now.
    @discardableResult
    public func tick() async throws -> TickResult {
        let now = clock.now()
        let logger = self.logger
        let batchSize = self.batchSize
        let contexts = self.contexts
        return try await database.withTransaction { connection in
            let context = try await contexts.context(on: connection, logger: logger)
            var binds = PostgresBindings()
            binds.append(now)
            binds.append(batchSize)
            let rows = try await DeadlineClockRow.decode(
                try await connection.guardedQuery(PostgresQuery(unsafeSQL: DeadlineWatcher.dueQuerySQL, binds: binds),
                                           logger: logger))
            let log = try await DeadlineEventLog.entries(about: Set(rows.map(\.appealID)),
                                                         watcherStartedAt: startedAt, on: connection, logger: logger)
            var messages: [OutgoingMessage] = []
            var held = 0
            for var row in rows {
                let answeredAt = DeadlineEventLog.answeredAt(log[row.appealID] ?? [], row: row)
                let emitted = try DeadlineWatcher.emit(&row, now: now, context: context, answeredAt: answeredAt)
                messages += emitted.messages
                if emitted.held { held += 1 }
                try await row.update(on: connection, logger: logger)
            }
            if held > 0 {
                logger.info("deadline events held: the event log answers these clocks in time; waiting for the events",
                            metadata: ["clocks.held": "\(held)"])
            }
            let fresh = try await DeadlineWatcher.notYetInOutbox(messages, on: connection, logger: logger)
            if fresh.count < messages.count {
                logger.warning("deadline events already in the outbox were not appended again",
                               metadata: ["outbox.duplicates": "\(messages.count - fresh.count)"])
            }
            try await OutboxWriter.append(fresh, producer: DeadlineContext.producer, on: connection, logger: logger)
            if !fresh.isEmpty {
                logger.debug("deadline events emitted", metadata: ["events": "\(fresh.count)"])
            }
            return TickResult(clocks: rows.count, emitted: fresh.count)
        }
    }

    /// The events `row` owes at `now`, with the row's flags and `next_check_at` updated. Thresholds at or after
    /// `answeredAt` (an event in the log that answers the clock, not applied yet) are held: not emitted, and the
    /// row is looked at again after ``holdInterval`` (`held`).
    static func emit(_ row: inout DeadlineClockRow, now: Date, context: DeadlineContext,
                     answeredAt: Date? = nil) throws -> (messages: [OutgoingMessage], held: Bool) {
        var out: [OutgoingMessage] = []
        var held = false
        for point in context.checkpoints(limit: row.limit, windowStart: row.windowStart, due: row.dueAt)
        where point.at <= now {
            guard !DeadlineContext.isEmitted(share: point.share, warningsEmitted: row.warningsEmitted,
                                             overdueEmitted: row.overdueEmitted) else { continue }
            if let answeredAt, point.at >= answeredAt {
                held = true
                continue
            }
            let id = DeadlineMessageID.make(appealID: row.appealID, round: row.round, attempt: row.attempt,
                                            clock: row.clock.rawValue,
                                            threshold: DeadlineMessageID.threshold(point.share))
            if point.share >= 1 {
                row.overdueEmitted = true
                let payload = DeadlineOverdue(appealId: row.appealID, caseNumber: row.caseNumber, round: row.round,
                                              attempt: row.attempt, occurredAt: now, departmentCode: row.department,
                                              clock: row.clock, dueAt: row.dueAt)
                out.append(try MessageEnvelope.event(payload, producer: DeadlineContext.producer, at: now, messageID: id))
            } else {
                row.warningsEmitted.append(point.share)
                let payload = DeadlineWarning(appealId: row.appealID, caseNumber: row.caseNumber, round: row.round,
                                              attempt: row.attempt, occurredAt: now, departmentCode: row.department,
                                              clock: row.clock, thresholdShare: point.share, dueAt: row.dueAt)
                out.append(try MessageEnvelope.event(payload, producer: DeadlineContext.producer, at: now, messageID: id))
            }
        }
        row.nextCheckAt = held ? now.addingTimeInterval(holdInterval)
            : context.nextCheck(limit: row.limit, windowStart: row.windowStart, due: row.dueAt,
                                warningsEmitted: row.warningsEmitted, overdueEmitted: row.overdueEmitted)
        return (out, held)
    }

    /// `messages` without those whose id the outbox holds already.
    static func notYetInOutbox(_ messages: [OutgoingMessage], on connection: PostgresConnection,
                               logger: Logger) async throws -> [OutgoingMessage] {
        guard !messages.isEmpty else { return [] }
        let ids = messages.map(\.messageID)
        let rows = try await connection.guardedQuery("SELECT message_id FROM outbox WHERE message_id = ANY(\(ids))",
                                              logger: logger)
        var present = Set<UUID>()
        for try await (id,) in rows.decode((UUID,).self) { present.insert(id) }
        return messages.filter { !present.contains($0.messageID) }
    }
}
