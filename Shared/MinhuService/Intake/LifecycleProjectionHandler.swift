import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import PostgresNIO

/// The handler of `intake.events`: keeps each appeal's status summary (`appeal_status`) from the lifecycle
/// events of the other services, through `AppealStatusSummary.applying(_:)` (ordered; stale events ignored).
/// Events about appeals this case file does not hold are recorded in the inbox and otherwise ignored.
public struct LifecycleProjectionHandler: MessageHandler {
    public struct Event: Sendable {
        public var payload: any LifecycleEventPayload

        public init(payload: any LifecycleEventPayload) {
            self.payload = payload
        }
    }

    public let clock: any MinhuClock

    public init(clock: any MinhuClock = SystemClock()) {
        self.clock = clock
    }

    public func decode(_ delivery: AMQPDelivery) throws -> Event? {
        (try EventDelivery.decode(delivery) as? any LifecycleEventPayload).map { Event(payload: $0) }
    }

    public func apply(_ messages: [Event?], on connection: PostgresConnection, logger: Logger) async throws
        -> [OutgoingMessage] {
        for case let event? in messages {
            try await apply(event.payload, on: connection, logger: logger)
        }
        return []
    }

    func apply(_ event: any LifecycleEventPayload, on connection: PostgresConnection, logger: Logger) async throws {
        guard let current = try await Self.summary(of: event.appealId, on: connection, logger: logger) else {
            logger.debug("event for an appeal not in this case file", metadata: ["appeal_id": "\(event.appealId)"])
            return
        }
        guard var next = current.applying(event) else {
            logger.debug("event changes no status (stale or informational)", metadata: [
                "case_number": "\(event.caseNumber)", "event": "\(type(of: event).eventType.rawValue)"])
            return
        }
        // A wait the citizen has answered already: the supplement was recorded before this event was projected
        // (its producer's relay lagged), so it answered nothing then; it answers the wait now.
        if next.status == .awaitingCitizen, next.position == event.lifecyclePosition,
           let answeredAt = try await Self.supplementReceived(after: event.occurredAt, appealId: event.appealId,
                                                              on: connection, logger: logger),
           let answered = next.applying(AppealSupplemented(
               appealId: event.appealId, caseNumber: event.caseNumber, round: event.round, attempt: event.attempt,
               occurredAt: answeredAt, channel: .hotline, text: "")) {
            next = answered
        }
        let position = next.position
        try await connection.guardedQuery("""
            UPDATE appeal_status SET status = \(next.status.rawValue), category = \(next.category),
                lead_department = \(next.leadDepartment), co_departments = \(next.coDepartments), tier = \(next.tier),
                due_at = \(next.dueAt), round = \(position.round), attempt = \(position.attempt),
                rank = \(position.rank), position_at = \(position.occurredAt), closed = \(next.closed),
                closure_reason = \(next.closureReason), last_event = \(next.lastEvent),
                status_notes = \(next.statusNotes), updated_at = \(clock.now())
            WHERE appeal_id = \(event.appealId)
            """, logger: logger)
    }

    /// When the first supplement of `appealId` recorded after `instant` arrived, if any.
    static func supplementReceived(after instant: Date, appealId: UUID, on connection: PostgresConnection,
                                   logger: Logger) async throws -> Date? {
        let rows = try await connection.guardedQuery("""
            SELECT min(received_at) FROM appeal_supplements WHERE appeal_id = \(appealId) AND received_at > \(instant)
            """, logger: logger)
        for try await value in rows.decode(Date?.self) { return value }
        return nil
    }

    /// The summary row of `appealId`, locked for update.
    static func summary(of appealId: UUID, on connection: PostgresConnection,
                        logger: Logger) async throws -> AppealStatusSummary? {
        let rows = try await connection.guardedQuery("""
            SELECT status, category, lead_department, co_departments, tier, due_at, round, attempt, rank,
                   position_at, closed, closure_reason, last_event, status_notes
            FROM appeal_status WHERE appeal_id = \(appealId) FOR UPDATE
            """, logger: logger)
        for try await row in rows {
            let (status, category, lead, co, tier, due, round, attempt, rank, at, closed, reason, last, notes)
                = try row.decode((String, String?, String?, [String], String?, Date?, Int, Int, Int, Date, Bool,
                                  String?, String, String?).self)
            return AppealStatusSummary(status: AppealStatus(rawValue: status) ?? .received, category: category,
                                       leadDepartment: lead, coDepartments: co, tier: tier, dueAt: due,
                                       position: LifecyclePosition(round: round, attempt: attempt, rank: rank,
                                                                   occurredAt: at),
                                       closed: closed, closureReason: reason, lastEvent: last, statusNotes: notes)
        }
        return nil
    }
}
