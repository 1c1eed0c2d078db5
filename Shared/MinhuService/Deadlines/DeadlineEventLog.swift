import Foundation
import Logging
import MinhuModels
import PostgresNIO

/// What the event log (the outbox's event rows, readable by every service) says about clocks the watcher is about
/// to warn about or declare overdue: an event that stops or pauses a clock, committed by its producer but not yet
/// applied by minhu-deadlines (still queued, or its producer's relay waiting for the broker), means the clock was
/// answered in time; the watcher holds its events until the event is applied (docs/deadlines.md, "The watcher").
public enum DeadlineEventLog {
    /// An event of the log about one appeal.
    public struct Entry: Sendable, Hashable {
        public var type: EventType
        public var round: Int
        public var attempt: Int
        public var occurredAt: Date
        /// The department the event names, nil for events that name none (a supplement, a close).
        public var department: String?

        public init(type: EventType, round: Int, attempt: Int, occurredAt: Date, department: String? = nil) {
            self.type = type
            self.round = round
            self.attempt = attempt
            self.occurredAt = occurredAt
            self.department = department
        }
    }

    /// How long an event may sit in the log unapplied, once it could have been applied, before the watcher stops
    /// waiting for it (it was refused, or minhu-deadlines is not consuming): then the clock's events are emitted as
    /// if the log said nothing. It counts from the latest of: when the producer committed it, when its relay
    /// published it to the broker, and when this watcher started (a minhu-deadlines that was down, or still drains
    /// its backlog, could not apply it before). A row its producer has not published yet is waited for, up to
    /// ``maximumWait``.
    public static let patience: TimeInterval = 600
    /// The bound on waiting for an event, published or not, from when its producer committed it: a clock never
    /// stays silent for good.
    public static let maximumWait: TimeInterval = 24 * 3600

    /// The event types that stop or pause a clock (`DeadlineEventHandler.ClockAction`), and the dispatch that
    /// supersedes an assignment's clocks.
    static let relevantTypes: [EventType] = DeadlineEventHandler.handledEvents.filter {
        DeadlineEventHandler.clockAction($0) != nil || $0 == .appealDispatched
    }

    /// When the first event of `entries` (the appeal's unexpired log events) that answers `row` happened, if any,
    /// as the handler would apply it: an event of the row's assignment that stops this clock, or pauses it and is
    /// newer than its last resume (an older pause was applied and answered already); or a later assignment's
    /// dispatch, return, close or rejection, which stops every earlier clock. Thresholds at or after that instant
    /// are not owed.
    public static func answeredAt(_ entries: [Entry], row: DeadlineClockRow) -> Date? {
        let position = DeadlineClockRow.Position(round: row.round, attempt: row.attempt)
        return entries.filter { entry in
            let at = DeadlineClockRow.Position(round: entry.round, attempt: entry.attempt)
            if entry.type == .appealDispatched { return at > position }
            // A co-department's action answers nothing, as the handler ignores it.
            if at == position, let department = entry.department, department != row.department { return false }
            guard at >= position, let action = DeadlineEventHandler.clockAction(entry.type) else { return false }
            if at > position { return action == .stopAll }
            switch action {
            case .stopSign: return row.clock == .sign
            case .stopAssignment, .stopAll: return true
            case .pause: return !row.answeredPause(at: entry.occurredAt)
            case .resume: return false
            }
        }.map(\.occurredAt).min()
    }

    /// The log's clock-moving events about `appeals` still worth waiting for (``patience``, ``maximumWait``; by the
    /// database's clock), by appeal. An event's time is the `occurred_at` of its body, as the handler reads it (the
    /// row's own `occurred_at` is when the producer wrote the message, which may be later).
    /// - Parameter watcherStartedAt: when the watcher started: an event that waited while minhu-deadlines was down
    ///   gets its patience from then.
    public static func entries(about appeals: Set<UUID>, watcherStartedAt: Date, on connection: PostgresConnection,
                               logger: Logger) async throws -> [UUID: [Entry]] {
        guard !appeals.isEmpty else { return [:] }
        let ids = appeals.map(\.uuidString)
        let types = relevantTypes.map(\.rawValue)
        let rows = try await connection.guardedQuery("""
            SELECT correlation_id, type, body::jsonb->>'occurred_at', (body::jsonb->>'round')::int8,
                   (body::jsonb->>'attempt')::int8, body::jsonb->>'department_code'
            FROM outbox
            WHERE is_event AND correlation_id = ANY(\(ids)) AND type = ANY(\(types))
              AND greatest(created_at, coalesce(published_at, now()), \(watcherStartedAt))
                  > now() - make_interval(secs => \(patience))
              AND created_at > now() - make_interval(secs => \(maximumWait))
            """, logger: logger)
        var out: [UUID: [Entry]] = [:]
        let decoded = rows.decode((String, String, String?, Int?, Int?, String?).self)
        for try await (correlation, type, time, round, attempt, department) in decoded {
            guard let appeal = UUID(uuidString: correlation), let known = EventType(rawValue: type),
                  let at = time.flatMap(MinhuJSON.parseDate), let round, let attempt else { continue }
            out[appeal, default: []].append(Entry(type: known, round: round, attempt: attempt, occurredAt: at,
                                                  department: department))
        }
        return out
    }
}
