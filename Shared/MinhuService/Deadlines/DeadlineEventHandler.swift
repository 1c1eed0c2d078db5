import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// The handler of `deadlines.events`: starts, stops, pauses and resumes the sign-by and reply-by clocks of
/// `deadline_clocks`, and records extension requests (docs/deadlines.md, "Service").
///
/// Events of an earlier round or attempt than the appeal's newest clocks are stale and ignored; events of a later
/// dispatch attempt than any clock wait for that dispatch (`DeadlineEarlyEvent`). Pause and resume emit
/// `deadline.changed` through the outbox (the messages `apply` returns).
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

    /// Decodes the event and checks its fields' ranges (`DeadlineEventCheck`): an event out of range is refused.
    public func decode(_ delivery: AMQPDelivery) throws -> Event {
        let payload = try EventDelivery.decode(delivery)
        try DeadlineEventCheck.check(payload)
        return Event(payload)
    }

    public func apply(_ messages: [Event], on connection: PostgresConnection, logger: Logger) async throws
        -> [OutgoingMessage] {
        let context: DeadlineContext
        do {
            context = try await contexts.context(on: connection, logger: logger)
        } catch {
            // Nothing is wrong with the events: hold them until the policy or the calendar loads again.
            throw HandlerUnavailable("the deadline policy or calendar does not load: \(PostgresErrorDetails(error))")
        }
        let appeals = messages.compactMap { ($0.payload as? any LifecycleEventPayload)?.appealId }
        try await DeadlineEarlyEvent.lockAppeals(appeals, on: connection, logger: logger)
        var out: [OutgoingMessage] = []
        for message in messages {
            out += try await apply(message.payload, context: context, on: connection, logger: logger)
        }
        return out
    }

    /// What an event does to the clocks (besides `appeal.dispatched`, which starts them).
    enum ClockAction: Sendable, Equatable {
        /// Stops the sign-by clock of the event's assignment.
        case stopSign
        /// Stops both clocks of the event's assignment.
        case stopAssignment
        /// Stops every running clock of the appeal, whatever its assignment.
        case stopAll
        /// Pauses the assignment's running clocks (waiting on the citizen).
        case pause
        /// Resumes the assignment's paused clocks.
        case resume
    }

    /// The action of an event type, nil for events that do not move clocks this way.
    static func clockAction(_ type: EventType) -> ClockAction? {
        switch type {
        case .appealSigned: .stopSign
        case .appealReplied: .stopAssignment
        case .appealReturned, .appealClosed, .appealRejected: .stopAll
        case .appealAwaitingCitizen: .pause
        case .appealSupplemented, .appealProgressed: .resume
        default: nil
        }
    }

    /// Applies one event (inside the caller's transaction); returns what to append to the outbox. An event of a
    /// dispatch attempt whose `appeal.dispatched` has not been handled yet is kept (`DeadlineEarlyEvent`) and
    /// applied when that dispatch starts the clocks.
    public func apply(_ payload: any EventPayload, context: DeadlineContext, on connection: PostgresConnection,
                      logger: Logger) async throws -> [OutgoingMessage] {
        guard let event = payload as? any LifecycleEventPayload else { return [] }
        let eventType = type(of: event).eventType
        let position = DeadlineClockRow.Position(round: event.round, attempt: event.attempt)
        let clocks = try await DeadlineClockRow.lockAll(appealID: event.appealId, on: connection, logger: logger)
        if let newest = clocks.map(\.position).max(), position < newest {
            logger.info("stale event ignored", metadata: [
                "event.type": "\(eventType.rawValue)", "appeal.id": "\(event.appealId)",
                "event.round": "\(event.round)", "event.attempt": "\(event.attempt)",
                "clock.round": "\(newest.round)", "clock.attempt": "\(newest.attempt)"])
            return []
        }
        // Only the lead department's actions move the clocks (docs/messages.md, "For departments"): a
        // co-department's signature, progress, return or extension request of its part does not.
        if !(event is AppealDispatched), let department = payload.assignmentDepartmentCode,
           let assignment = clocks.first(where: { $0.position == position }), assignment.department != department {
            Self.logOtherDepartment(eventType, appealID: event.appealId, department: department,
                                    assignment: assignment.department, logger: logger)
            return []
        }
        switch event {
        case let dispatched as AppealDispatched:
            return try await start(dispatched, clocks: clocks, context: context, on: connection, logger: logger)
        case let request as AppealExtensionRequested:
            try await connection.guardedQuery("""
                INSERT INTO deadline_extension_requests (appeal_id, case_number, round, attempt, department, \
                requested_days, request_reason, requested_at)
                VALUES (\(request.appealId), \(request.caseNumber), \(request.round), \(request.attempt), \
                \(request.departmentCode), \(request.workingDays), \(request.reason), \(request.occurredAt))
                """, logger: logger)
            return []
        default:
            guard let action = Self.clockAction(eventType) else { return [] }
            if event.attempt >= 1 && !clocks.contains(where: { $0.position == position }) {
                // Its dispatch is not handled yet (requeued, or on another copy): kept for it.
                let kept = DeadlineEarlyEvent(type: eventType, occurredAt: event.occurredAt,
                                              department: payload.assignmentDepartmentCode)
                try await DeadlineEarlyEvent.keep(kept, appealID: event.appealId, round: event.round,
                                                  attempt: event.attempt, on: connection, logger: logger)
                logger.info("event before its dispatch kept for it", metadata: [
                    "event.type": "\(eventType.rawValue)", "appeal.id": "\(event.appealId)",
                    "event.round": "\(event.round)", "event.attempt": "\(event.attempt)"])
            }
            return try await act(action, eventType: eventType, at: event.occurredAt, position: position,
                                 clocks: clocks, context: context, on: connection, logger: logger)
        }
    }

    /// Starts the clocks of a dispatch (superseding earlier assignments' clocks), then applies the events of that
    /// dispatch handled before it.
    func start(_ dispatched: AppealDispatched, clocks: [DeadlineClockRow], context: DeadlineContext,
               on connection: PostgresConnection, logger: Logger) async throws -> [OutgoingMessage] {
        let position = DeadlineClockRow.Position(round: dispatched.round, attempt: dispatched.attempt)
        // Started already (a redelivery under another id).
        guard !clocks.contains(where: { $0.position == position }) else { return [] }
        var out: [OutgoingMessage] = []
        for row in clocks where row.state != "stopped" {
            out += try await stop(row, reason: "superseded", at: dispatched.occurredAt, context: context,
                                  on: connection, logger: logger)
        }
        for row in startRows(dispatched, context: context) {
            try await row.insert(on: connection, logger: logger)
        }
        let early = try await DeadlineEarlyEvent.take(appealID: dispatched.appealId, round: dispatched.round,
                                                      attempt: dispatched.attempt, on: connection, logger: logger)
        for kept in early {
            guard let action = Self.clockAction(kept.type) else { continue }
            if let department = kept.department, department != dispatched.departmentCode {
                Self.logOtherDepartment(kept.type, appealID: dispatched.appealId, department: department,
                                        assignment: dispatched.departmentCode, logger: logger)
                continue
            }
            let now = try await DeadlineClockRow.lockAll(appealID: dispatched.appealId, on: connection, logger: logger)
            out += try await act(action, eventType: kept.type, at: kept.occurredAt, position: position, clocks: now,
                                 context: context, on: connection, logger: logger)
        }
        if !early.isEmpty {
            logger.info("events handled before their dispatch applied", metadata: [
                "appeal.id": "\(dispatched.appealId)", "event.round": "\(dispatched.round)",
                "event.attempt": "\(dispatched.attempt)", "events": "\(early.map(\.type.rawValue))"])
        }
        return out
    }

    static func logOtherDepartment(_ type: EventType, appealID: UUID, department: String, assignment: String,
                                   logger: Logger) {
        logger.info("event of a department other than the assignment's ignored", metadata: [
            "event.type": "\(type.rawValue)", "appeal.id": "\(appealID)", "event.department": "\(department)",
            "clock.department": "\(assignment)"])
    }

    /// Moves the clocks as `action` says, for an event of `eventType` at `at` about the assignment at `position`
    /// (`clocks`: every clock of the appeal, locked).
    func act(_ action: ClockAction, eventType: EventType, at: Date, position: DeadlineClockRow.Position,
             clocks: [DeadlineClockRow], context: DeadlineContext, on connection: PostgresConnection,
             logger: Logger) async throws -> [OutgoingMessage] {
        let current = clocks.filter { $0.position == position }
        switch action {
        case .stopSign:
            var out: [OutgoingMessage] = []
            for row in current where row.clock == .sign && row.state != "stopped" {
                out += try await stop(row, reason: "signed", at: at, context: context, on: connection, logger: logger)
            }
            return out
        case .stopAssignment:
            var out: [OutgoingMessage] = []
            for row in current where row.state != "stopped" {
                out += try await stop(row, reason: "replied", at: at, context: context, on: connection, logger: logger)
            }
            return out
        case .stopAll:
            var out: [OutgoingMessage] = []
            for row in clocks where row.state != "stopped" {
                out += try await stop(row, reason: eventType.rawValue, at: at, context: context, on: connection,
                                      logger: logger)
            }
            return out
        case .pause:
            var paused: [DeadlineClockRow] = []
            var owedEvents: [OutgoingMessage] = []
            // A pause older than the clock's last resume was answered already (handled late: requeued, or by
            // another copy): it changes nothing.
            for var row in current where row.state == "running" && !row.answeredPause(at: at) {
                owedEvents += try await owed(&row, before: at, context: context, on: connection, logger: logger)
                row.state = "paused"
                row.pausedAt = at
                row.nextCheckAt = nil
                try await row.update(on: connection, logger: logger)
                paused.append(row)
            }
            guard let first = paused.first else { return owedEvents }
            return owedEvents + [try changed(first, reason: .pause, rows: current.map { row in
                paused.first(where: { $0.clock == row.clock }) ?? row
            })]
        case .resume:
            // A supplement or progress report while the clocks run answers any pause from before it that is
            // handled later (requeued, kept, or on another copy): recorded as their last resume.
            for var row in current where row.state == "running" && !row.answeredPause(at: at) {
                row.resumedAt = at
                try await row.update(on: connection, logger: logger)
            }
            var resumed: [DeadlineClockRow] = []
            // A supplement from before the pause (handled late) does not answer it: the clocks stay paused.
            for var row in current where row.state == "paused" && (row.pausedAt.map { $0 <= at } ?? true) {
                let from = row.pausedAt ?? at
                row.dueAt = context.shifted(row.dueAt, pausedFrom: from, to: at, limit: row.limit)
                row.windowStart = context.shifted(row.windowStart, pausedFrom: from, to: at, limit: row.limit)
                row.state = "running"
                row.pausedAt = nil
                row.resumedAt = at
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
        }
    }

    /// Stops the clock at `at`, emitting first what it owes from before then (`owed`).
    func stop(_ row: DeadlineClockRow, reason: String, at: Date, context: DeadlineContext,
              on connection: PostgresConnection, logger: Logger) async throws -> [OutgoingMessage] {
        var row = row
        let events = try await owed(&row, before: at, context: context, on: connection, logger: logger)
        try await DeadlineClockRow.stop(row, reason: reason, at: at, on: connection, logger: logger)
        return events
    }

    /// The warnings and overdue a running clock owes from before `at` (the time of the event that stops or pauses
    /// it) that the watcher has not emitted yet, marked on `row`: after downtime the event can be handled before
    /// the watcher reaches the clock, and a reply that came after the due time does not cancel the overdue. Only
    /// thresholds already past by this service's clock count, as for the watcher; ids are the watcher's
    /// (`DeadlineMessageID`), so neither can emit one twice. An earlier answer in the event log, not applied yet
    /// (a reply in time, queued behind this close or taken by another copy), counts as the watcher counts it
    /// (`DeadlineEventLog.answeredAt`), without the watcher's patience: the clock stops now, so nothing held could
    /// be emitted later.
    func owed(_ row: inout DeadlineClockRow, before at: Date, context: DeadlineContext,
              on connection: PostgresConnection, logger: Logger) async throws -> [OutgoingMessage] {
        guard row.state == "running" else { return [] }
        let now = clock.now()
        var trial = row
        // Most stops owe nothing: the log is read only when something would be emitted.
        guard !(try DeadlineWatcher.emit(&trial, now: now, context: context, answeredAt: at).messages.isEmpty) else {
            return []
        }
        let log = try await DeadlineEventLog.entries(about: [row.appealID], watcherStartedAt: now, on: connection,
                                                     logger: logger)
        let answeredAt = [at, DeadlineEventLog.answeredAt(log[row.appealID] ?? [], row: row)].compactMap { $0 }.min()
        let emitted = try DeadlineWatcher.emit(&row, now: now, context: context, answeredAt: answeredAt)
        let fresh = try await DeadlineWatcher.notYetInOutbox(emitted.messages, on: connection, logger: logger)
        if !fresh.isEmpty {
            logger.info("deadline events owed before the event that stops or pauses the clock emitted", metadata: [
                "appeal.id": "\(row.appealID)", "clock": "\(row.clock.rawValue)", "events": "\(fresh.count)"])
        }
        return fresh
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
            // A clock due at its start (a late dispatch from the manual desk: the reply-by counts from arrival)
            // owes its overdue, not warnings about time that was never left.
            let warnings = due <= event.occurredAt ? context.policies.warningShares : []
            return DeadlineClockRow(
                appealID: event.appealId, round: event.round, attempt: event.attempt, clock: clock,
                caseNumber: event.caseNumber, department: event.departmentCode, policy: policy, limit: limit,
                startedAt: event.occurredAt, windowStart: event.occurredAt, dueAt: due, state: "running",
                pausedAt: nil, extensionsUsed: 0, warningsEmitted: warnings, overdueEmitted: false,
                nextCheckAt: context.nextCheck(limit: limit, windowStart: event.occurredAt, due: due,
                                               warningsEmitted: warnings, overdueEmitted: false))
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
