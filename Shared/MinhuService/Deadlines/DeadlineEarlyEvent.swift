import Foundation
import Logging
import MinhuModels
import PostgresNIO

/// A lifecycle event handled before the `appeal.dispatched` of its assignment (a requeued delivery, or two copies
/// of minhu-deadlines), kept in `deadline_early_events` (migration 0014) until that dispatch starts the clocks,
/// which then apply it (`DeadlineEventHandler`). Its type, time and department are kept: all the clocks use.
public struct DeadlineEarlyEvent: Sendable, Hashable {
    public var type: EventType
    public var occurredAt: Date
    /// The department the event names (since 0018), nil for one that names none: a co-department's event is not
    /// applied to the lead's clocks.
    public var department: String?

    public init(type: EventType, occurredAt: Date, department: String? = nil) {
        self.type = type
        self.occurredAt = occurredAt
        self.department = department
    }

    /// The first key of the two-key advisory locks that serialise one appeal's events across copies (ASCII "MD").
    static let lockClass: Int32 = 0x4D44

    /// Takes, for the caller's transaction, one advisory lock per appeal (in one order, so that two copies do not
    /// deadlock). Two transactions about one appeal then run one after the other: without it, a dispatch and a
    /// signature handled at once by two copies would each miss the other (the dispatch sees no kept event, the
    /// signature sees no clock yet).
    static func lockAppeals(_ ids: [UUID], on connection: PostgresConnection, logger: Logger) async throws {
        let distinct = Array(Set(ids))
        guard !distinct.isEmpty else { return }
        try await connection.guardedQuery("""
            SELECT pg_advisory_xact_lock(\(lockClass), keys.k) FROM (
                SELECT DISTINCT hashtext(a::text) AS k FROM unnest(\(distinct)::uuid[]) AS a ORDER BY k
            ) AS keys
            """, logger: logger)
    }

    /// Keeps the event for the dispatch of (`round`, `attempt`) (once, however often it is delivered).
    static func keep(_ event: DeadlineEarlyEvent, appealID: UUID, round: Int, attempt: Int,
                     on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.guardedQuery("""
            INSERT INTO deadline_early_events (appeal_id, round, attempt, event_type, occurred_at, department)
            VALUES (\(appealID), \(round), \(attempt), \(event.type.rawValue), \(event.occurredAt),
                    \(event.department ?? ""))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// How long a kept event waits for its dispatch before the watcher's housekeeping removes it (its dispatch was
    /// handled before this service kept events, or never comes).
    public static let retention: TimeInterval = 30 * 86_400

    /// Removes kept events recorded more than `retention` ago (by the database's clock); returns how many.
    public static func prune(olderThan retention: TimeInterval = retention, on connection: PostgresConnection,
                             logger: Logger) async throws -> Int {
        let rows = try await connection.guardedQuery("""
            DELETE FROM deadline_early_events WHERE recorded_at < now() - make_interval(secs => \(retention))
            RETURNING 1
            """, logger: logger)
        let count = try await rows.collect().count
        return count
    }

    /// Removes the appeal's kept events up to the dispatch of (`round`, `attempt`) and returns those of that
    /// dispatch, in the order they happened (events of earlier assignments are stale and dropped).
    static func take(appealID: UUID, round: Int, attempt: Int, on connection: PostgresConnection,
                     logger: Logger) async throws -> [DeadlineEarlyEvent] {
        let rows = try await connection.guardedQuery("""
            DELETE FROM deadline_early_events
            WHERE appeal_id = \(appealID) AND (round, attempt) <= (\(round), \(attempt))
            RETURNING round, attempt, event_type, occurred_at, department
            """, logger: logger)
        var out: [DeadlineEarlyEvent] = []
        for try await (r, a, type, at, department) in rows.decode((Int, Int, String, Date, String).self)
        where r == round && a == attempt {
            guard let known = EventType(rawValue: type) else { continue }
            out.append(DeadlineEarlyEvent(type: known, occurredAt: at,
                                          department: department.isEmpty ? nil : department))
        }
        // Ties (one instant): a pause before the stops, and both before a resume (the supplement that answers it).
        return out.sorted { ($0.occurredAt, replayRank($0.type)) < ($1.occurredAt, replayRank($1.type)) }
    }

    /// The order of kept events of one instant: pauses, then stops, then resumes.
    static func replayRank(_ type: EventType) -> Int {
        switch DeadlineEventHandler.clockAction(type) {
        case .pause: 0
        case .resume: 2
        default: 1
        }
    }
}
