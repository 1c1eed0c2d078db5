import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import PostgresNIO

/// The handler of `deadlines.events`: starts, stops, pauses and resumes the sign-by and reply-by clocks of
/// `deadline_clocks`, and records extension requests (docs/deadlines.md, "Service").
///
/// Events of an earlier round or attempt than the appeal's newest clocks are stale and ignored. Pause and resume
/// emit `deadline.changed` through the outbox (the messages `apply` returns).
public struct DeadlineEventHandler: MessageHandler {
    /// One decoded event.
    public struct Event: Sendable {
        public var payload: any EventPayload
        public init(_ payload: any EventPayload) { self.payload = payload }
    }

    public let contexts: DeadlineContextProvider
    public let clock: any MinhuClock

    /// The events `apply` acts on; `deadlines.events` must be bound to every one (`MinhuTopology.eventBindings`).
    public static let handledEvents: [EventType] = [
        AppealDispatched.eventType, AppealSigned.eventType, AppealReplied.eventType, AppealReturned.eventType,
        AppealClosed.eventType, AppealRejected.eventType, AppealAwaitingCitizen.eventType,
        AppealSupplemented.eventType, AppealProgressed.eventType, AppealExtensionRequested.eventType,
    ]

    public init(contexts: DeadlineContextProvider, clock: any MinhuClock) {
        self.contexts = contexts
        self.clock = clock
    }

    public func decode(_ delivery: AMQPDelivery) throws -> Event {
        Event(try EventDelivery.decode(delivery))
    }

    public func apply(_ messages: [Event], on connection: PostgresConnection, logger: Logger) async throws
        -> [OutgoingMessage] {
        let context = try await contexts.context(on: connection, logger: logger)
        var out: [OutgoingMessage] = []
        for message in messages {
            out += try await apply(message.payload, context: context, on: connection, logger: logger)
        }
        return out
    }

    /// Applies one event (inside the caller's transaction); returns what to append to the outbox.
    public func apply(_ payload: any EventPayload, context: DeadlineContext, on connection: PostgresConnection,
                      logger: Logger) async throws -> [OutgoingMessage] {
        guard let event = payload as? any LifecycleEventPayload else { return [] }
        let position = DeadlineClockRow.Position(round: event.round, attempt: event.attempt)
        let clocks = try await DeadlineClockRow.lockAll(appealID: event.appealId, on: connection, logger: logger)
        if let newest = clocks.map(\.position).max(), position < newest {
            logger.info("stale event ignored", metadata: [
                "event.type": "\(type(of: event).eventType.rawValue)", "appeal.id": "\(event.appealId)",
                "event.round": "\(event.round)", "event.attempt": "\(event.attempt)",
                "clock.round": "\(newest.round)", "clock.attempt": "\(newest.attempt)"])
            return []
        }
        let current = clocks.filter { $0.position == position }
        switch event {
        case let dispatched as AppealDispatched:
            guard current.isEmpty else { return [] }  // started already (a redelivery under another id)
            for row in clocks where row.state != "stopped" {
                try await DeadlineClockRow.stop(row, reason: "superseded", at: dispatched.occurredAt, on: connection,
                                                logger: logger)
            }
            for row in startRows(dispatched, context: context) {
                try await row.insert(on: connection, logger: logger)
            }
            return []
        case let signed as AppealSigned:
            for row in current where row.clock == .sign && row.state != "stopped" {
                try await DeadlineClockRow.stop(row, reason: "signed", at: signed.occurredAt, on: connection, logger: logger)
            }
            return []
        case let replied as AppealReplied:
            for row in current where row.state != "stopped" {
                try await DeadlineClockRow.stop(row, reason: "replied", at: replied.occurredAt, on: connection,
                                                logger: logger)
            }
            return []
        case is AppealReturned, is AppealClosed, is AppealRejected:
            let reason = type(of: event).eventType.rawValue
            for row in clocks where row.state != "stopped" {
                try await DeadlineClockRow.stop(row, reason: reason, at: event.occurredAt, on: connection, logger: logger)
            }
            return []
        case let waiting as AppealAwaitingCitizen:
            var paused: [DeadlineClockRow] = []
            // A pause older than the clock's last resume was answered already (handled late: requeued, or by
            // another copy): it changes nothing.
            for var row in current where row.state == "running" {
                if let resumed = row.resumedAt, resumed >= waiting.occurredAt { continue }
                row.state = "paused"
                row.pausedAt = waiting.occurredAt
                row.nextCheckAt = nil
                try await row.update(on: connection, logger: logger)
                paused.append(row)
            }
            guard let first = paused.first else { return [] }
            return [try changed(first, reason: .pause, rows: current.map { row in
                paused.first(where: { $0.clock == row.clock }) ?? row
            })]
        case is AppealSupplemented, is AppealProgressed:
            var resumed: [DeadlineClockRow] = []
            for var row in current where row.state == "paused" {
                let from = row.pausedAt ?? event.occurredAt
                row.dueAt = context.shifted(row.dueAt, pausedFrom: from, to: event.occurredAt, limit: row.limit)
                row.windowStart = context.shifted(row.windowStart, pausedFrom: from, to: event.occurredAt,
                                                  limit: row.limit)
                row.state = "running"
                row.pausedAt = nil
                row.resumedAt = event.occurredAt
                row.nextCheckAt = context.nextCheck(limit: row.limit, windowStart: row.windowStart, due: row.dueAt,
                                                    warningsEmitted: row.warningsEmitted,
                                                    overdueEmitted: row.overdueEmitted)
                try await row.update(on: connection, logger: logger)
                resumed.append(row)
            }
            guard let first = resumed.first else { return [] }
            return [try changed(first, reason: .resume, rows: current.map { row in
                resumed.first(where: { $0.clock == row.clock }) ?? row
            })]
        case let request as AppealExtensionRequested:
            try await connection.guardedQuery("""
                INSERT INTO deadline_extension_requests (appeal_id, case_number, round, attempt, department, \
                requested_days, request_reason, requested_at)
                VALUES (\(request.appealId), \(request.caseNumber), \(request.round), \(request.attempt), \
                \(request.departmentCode), \(request.workingDays), \(request.reason), \(request.occurredAt))
                """, logger: logger)
            return []
        default:
            return []
        }
    }

    /// The sign-by and reply-by clocks `appeal.dispatched` starts.
    func startRows(_ event: AppealDispatched, context: DeadlineContext) -> [DeadlineClockRow] {
        let replyLimit: DeadlineLimit
        if let policy = context.policies.policy(named: event.policy) {
            replyLimit = policy.limit
        } else if let days = event.workingDays {
            replyLimit = .workingDays(days)
        } else {
            replyLimit = .hours(max(1, Int((event.replyBy.timeIntervalSince(event.occurredAt) / 3600).rounded())))
        }
        func row(_ clock: DeadlineClock, policy: String, limit: DeadlineLimit, due: Date) -> DeadlineClockRow {
            DeadlineClockRow(
                appealID: event.appealId, round: event.round, attempt: event.attempt, clock: clock,
                caseNumber: event.caseNumber, department: event.departmentCode, policy: policy, limit: limit,
                startedAt: event.occurredAt, windowStart: event.occurredAt, dueAt: due, state: "running",
                pausedAt: nil, extensionsUsed: 0, warningsEmitted: [], overdueEmitted: false,
                nextCheckAt: context.nextCheck(limit: limit, windowStart: event.occurredAt, due: due,
                                               warningsEmitted: [], overdueEmitted: false))
        }
        return [row(.sign, policy: context.policies.signBy.name, limit: context.policies.signBy.limit, due: event.signBy),
                row(.reply, policy: event.policy, limit: replyLimit, due: event.replyBy)]
    }

    /// `deadline.changed` for pause or resume, with the due times in force (none for a clock paused or stopped).
    func changed(_ first: DeadlineClockRow, reason: DeadlineChangeReason, rows: [DeadlineClockRow]) throws
        -> OutgoingMessage {
        func due(_ clock: DeadlineClock) -> Date? {
            rows.first(where: { $0.clock == clock && $0.state == "running" })?.dueAt
        }
        let now = clock.now()
        let payload = DeadlineChanged(
            appealId: first.appealID, caseNumber: first.caseNumber, round: first.round, attempt: first.attempt,
            occurredAt: now, departmentCode: first.department, reason: reason, signBy: due(.sign),
            replyBy: due(.reply), decidedBy: DeadlineContext.producer)
        return try MessageEnvelope.event(payload, producer: DeadlineContext.producer, at: now)
    }
}
