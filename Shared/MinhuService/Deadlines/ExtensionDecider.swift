import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// Decides a department's pending extension request (延期审批), for the CLI (`minhu deadlines decide`) and the HTTP
/// route alike: an approval moves the reply-by clock's due time by the granted working days and emits
/// `deadline.changed` (reason `extension`) and an ``ExtensionDecision`` on the department's queue; a denial emits
/// both too, its `deadline.changed` with `approved: false` and the due times in force. Both through the outbox, in
/// the transaction that records the decision.
public struct ExtensionDecider: Sendable {
    /// Which appeal.
    public enum Target: Sendable, Hashable, CustomStringConvertible {
        case caseNumber(String)
        case appealID(UUID)
        public var description: String {
            switch self {
            case .caseNumber(let number): number
            case .appealID(let id): id.uuidString
            }
        }
    }

    /// How much to grant on approval.
    public enum Grant: Sendable, Hashable {
        /// What the department asked for.
        case requested
        /// N working days.
        case workingDays(Int)
        /// Until the close of office of this day (counted as working days after the current due day).
        case until(LocalDate)
    }

    /// A decision that cannot be made; `field` names the input at fault (for problem+json).
    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        public enum Kind: Sendable, Hashable {
            case notFound, conflict, invalid
        }
        public var kind: Kind
        public var field: String?
        public var reason: String
        public var description: String { reason }
    }

    /// What was decided.
    public struct Outcome: Sendable, Hashable {
        public var requestID: Int
        public var appealID: UUID
        public var caseNumber: String
        public var approved: Bool
        public var grantedWorkingDays: Int
        public var replyBy: Date
        public var messages: [OutgoingMessage]
    }

    public let contexts: DeadlineContextProvider
    public let clock: any MinhuClock

    public init(contexts: DeadlineContextProvider, clock: any MinhuClock) {
        self.contexts = contexts
        self.clock = clock
    }

    /// Decides in its own transaction, appending the messages to the outbox.
    public func decide(_ target: Target, approve: Bool, grant: Grant = .requested, reason: String?,
                       decidedBy: String, database: MinhuDatabase, logger: Logger) async throws -> Outcome {
        try await database.withTransaction { connection in
            let outcome = try await decide(target, approve: approve, grant: grant, reason: reason,
                                           decidedBy: decidedBy, on: connection, logger: logger)
            try await OutboxWriter.append(outcome.messages, producer: DeadlineContext.producer, on: connection,
                                          logger: logger)
            return outcome
        }
    }

    /// Decides inside the caller's transaction; the caller appends `messages` to the outbox.
    public func decide(_ target: Target, approve: Bool, grant: Grant = .requested, reason: String?,
                       decidedBy: String, on connection: PostgresConnection, logger: Logger) async throws -> Outcome {
        guard !decidedBy.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Refusal(kind: .invalid, field: "decided_by", reason: "who decides is required")
        }
        if !approve, (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw Refusal(kind: .invalid, field: "reason", reason: "a refusal needs a reason")
        }
        let context = try await contexts.context(on: connection, logger: logger)
        let requestRows: PostgresRowSequence
        switch target {
        case .caseNumber(let number):
            requestRows = try await connection.guardedQuery("""
                SELECT id, appeal_id, case_number, round, attempt, department, requested_days, state
                FROM deadline_extension_requests WHERE case_number = \(number) ORDER BY id DESC LIMIT 1 FOR UPDATE
                """, logger: logger)
        case .appealID(let id):
            requestRows = try await connection.guardedQuery("""
                SELECT id, appeal_id, case_number, round, attempt, department, requested_days, state
                FROM deadline_extension_requests WHERE appeal_id = \(id) ORDER BY id DESC LIMIT 1 FOR UPDATE
                """, logger: logger)
        }
        var found: (Int, UUID, String, Int, Int, String, Int, String)?
        for try await row in requestRows.decode((Int, UUID, String, Int, Int, String, Int, String).self) {
            found = row
        }
        guard let (requestID, appealID, caseNumber, round, attempt, department, requested, state) = found else {
            throw Refusal(kind: .notFound, field: "case_number", reason: "no extension request for \(target)")
        }
        guard state == "pending" else {
            throw Refusal(kind: .conflict, field: nil,
                          reason: "the extension request of \(caseNumber) (round \(round)) was already \(state)")
        }
        let clocks = try await DeadlineClockRow.lockAll(appealID: appealID, on: connection, logger: logger)
        guard var reply = clocks.first(where: {
            $0.clock == .reply && $0.round == round && $0.attempt == attempt && $0.state != "stopped"
        }) else {
            throw Refusal(kind: .conflict, field: nil,
                          reason: "\(caseNumber) has no open reply-by clock for round \(round), attempt \(attempt)")
        }
        // Only the lead department's request moves its clock (a co-department's, recorded before the dispatch, is
        // not the case's: docs/messages.md, "For departments").
        guard reply.department == department else {
            throw Refusal(kind: .conflict, field: nil,
                          reason: "the extension request of \(caseNumber) is from \(department), not from the lead "
                              + "department \(reply.department)")
        }
        let now = clock.now()
        var granted = 0
        /// For `until`: the last working day up to the requested day, whose close of office becomes the due time.
        var untilDay: LocalDate?
        if approve {
            switch grant {
            case .requested: granted = requested
            case .workingDays(let days): granted = days
            case .until(let day):
                // The day the due time ends: a close of office at 24:00 is the next day's midnight.
                let dueDay = LocalDate(reply.dueAt.addingTimeInterval(-1), in: context.timeZone)
                guard day > dueDay else {
                    throw Refusal(kind: .invalid, field: "until",
                                  reason: "\(day) is not after the current due day \(dueDay)")
                }
                // The working days after the due day up to `day`, counted no further than one past the most the
                // rule allows (a far-off day is refused without walking the calendar to it).
                var cursor = dueDay
                let cap = context.policies.extensionRule.maxWorkingDays + 1
                while granted < cap {
                    let next = context.calendar.nextWorkingDay(after: cursor)
                    if next > day { break }
                    cursor = next
                    granted += 1
                }
                untilDay = cursor
            }
            let usedThisRound = clocks.filter { $0.clock == .reply && $0.round == round }.map(\.extensionsUsed)
                .reduce(0, +)
            switch context.policies.extensionRule.check(workingDays: granted, extensionsThisRound: usedThisRound) {
            case .allowed: break
            case .notPositive:
                throw Refusal(kind: .invalid, field: grant == .requested ? "days" : fieldName(grant),
                              reason: "an extension must add at least 1 working day (got \(granted))")
            case .tooLong(let max):
                throw Refusal(kind: .invalid, field: fieldName(grant),
                              reason: "an extension may add at most \(max) working days (got "
                                  + (untilDay == nil ? "\(granted))" : "more than \(max) up to that day)"))
            case .limitReached(let perRound):
                throw Refusal(kind: .conflict, field: nil,
                              reason: "round \(round) already had \(perRound) extension(s), the most allowed")
            }
            if let untilDay {
                reply.dueAt = context.calendar.closeOfOffice(on: untilDay, officeHours: context.officeHours,
                                                             timeZone: context.timeZone)
            } else {
                reply.dueAt = DeadlineCalculator.extended(due: reply.dueAt, byWorkingDays: granted,
                                                          calendar: context.calendar, officeHours: context.officeHours,
                                                          timeZone: context.timeZone)
            }
            reply.extensionsUsed += 1
            if reply.state == "running" {
                reply.nextCheckAt = context.nextCheck(limit: reply.limit, windowStart: reply.windowStart,
                                                      due: reply.dueAt, warningsEmitted: reply.warningsEmitted,
                                                      overdueEmitted: reply.overdueEmitted)
            }
            try await reply.update(on: connection, logger: logger)
        }
        try await connection.guardedQuery("""
            UPDATE deadline_extension_requests SET state = \(approve ? "approved" : "denied"), \
            granted_days = \(granted), decided_by = \(decidedBy), decided_at = \(now), decision_reason = \(reason)
            WHERE id = \(requestID)
            """, logger: logger)
        // The decision is an event either way (issue 5): granted, with the due times moved; denied, with the due
        // times unchanged, so the timeline, reporting and intake's status see it.
        let sign = clocks.first(where: {
            $0.clock == .sign && $0.round == round && $0.attempt == attempt && $0.state == "running"
        })
        let changed = DeadlineChanged(
            appealId: appealID, caseNumber: caseNumber, round: round, attempt: attempt, occurredAt: now,
            departmentCode: department, reason: .extension, signBy: sign?.dueAt,
            replyBy: reply.state == "running" ? reply.dueAt : nil, extensionWorkingDays: approve ? granted : 0,
            approved: approve, decidedBy: decidedBy, note: reason)
        var messages = [try MessageEnvelope.event(changed, producer: DeadlineContext.producer, at: now)]
        let decision = ExtensionDecision(
            appealId: appealID, caseNumber: caseNumber, round: round, attempt: attempt, departmentCode: department,
            approved: approve, requestedWorkingDays: requested, grantedWorkingDays: granted, replyBy: reply.dueAt,
            reason: reason, decidedBy: decidedBy, decidedAt: now)
        messages.append(try MessageEnvelope.message(decision, route: .dispatch(department: department),
                                                    producer: DeadlineContext.producer, at: now,
                                                    correlationID: appealID.uuidString))
        logger.info("extension decided", metadata: [
            "appeal.case_number": "\(caseNumber)", "extension.approved": "\(approve)",
            "extension.granted_days": "\(granted)"])
        return Outcome(requestID: requestID, appealID: appealID, caseNumber: caseNumber, approved: approve,
                       grantedWorkingDays: granted, replyBy: reply.dueAt, messages: messages)
    }

    private func fieldName(_ grant: Grant) -> String {
        switch grant {
        case .requested, .workingDays: "days"
        case .until: "until"
        }
    }
}
