import Foundation
import Logging
import MinhuModels
import PostgresNIO

/// One row of `deadline_clocks`, and the SQL that reads and writes them.
public struct DeadlineClockRow: Sendable, Hashable {
    public var appealID: UUID
    public var round: Int
    public var attempt: Int
    public var clock: DeadlineClock
    public var caseNumber: String
    public var department: String
    public var policy: String
    public var limit: DeadlineLimit
    public var startedAt: Date
    public var windowStart: Date
    public var dueAt: Date
    public var state: String
    public var pausedAt: Date?
    public var extensionsUsed: Int
    public var warningsEmitted: [Double]
    public var overdueEmitted: Bool
    public var nextCheckAt: Date?
    /// When the clock last resumed after a pause (0013); a pause from before it is stale.
    public var resumedAt: Date? = nil

    /// True when a pause at `at` was answered already: the clock resumed (or recorded a supplement or progress
    /// report) at or after it. Such a pause, handled late, changes nothing.
    public func answeredPause(at: Date) -> Bool { resumedAt.map { $0 >= at } ?? false }

    /// The position of the clock's assignment: later rounds and attempts supersede earlier ones.
    public var position: Position { Position(round: round, attempt: attempt) }

    /// (round, attempt), ordered.
    public struct Position: Hashable, Sendable, Comparable {
        public var round: Int
        public var attempt: Int
        public init(round: Int, attempt: Int) {
            self.round = round
            self.attempt = attempt
        }
        public static func < (lhs: Position, rhs: Position) -> Bool {
            (lhs.round, lhs.attempt) < (rhs.round, rhs.attempt)
        }
    }

    static let columns = """
        appeal_id, round, attempt, clock, case_number, department, policy, limit_spec::text, started_at, \
        window_start, due_at, state, paused_at, extensions_used, warnings_emitted, overdue_emitted, next_check_at, \
        resumed_at
        """

    /// Reads rows selected with ``columns``.
    static func decode(_ rows: PostgresRowSequence) async throws -> [DeadlineClockRow] {
        var out: [DeadlineClockRow] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            func cell<T: PostgresDecodable>(_ index: Int, _ type: T.Type) throws -> T {
                try cells[index].decode(T.self, context: .default)
            }
            let limitText = try cell(7, String.self)
            let limit = try MinhuJSON.decode(DeadlineLimit.self, from: Data(limitText.utf8))
            guard let clock = DeadlineClock(rawValue: try cell(3, String.self)) else { continue }
            out.append(DeadlineClockRow(
                appealID: try cell(0, UUID.self), round: try cell(1, Int.self), attempt: try cell(2, Int.self),
                clock: clock, caseNumber: try cell(4, String.self), department: try cell(5, String.self),
                policy: try cell(6, String.self), limit: limit, startedAt: try cell(8, Date.self),
                windowStart: try cell(9, Date.self), dueAt: try cell(10, Date.self), state: try cell(11, String.self),
                pausedAt: try cell(12, Date?.self), extensionsUsed: try cell(13, Int.self),
                warningsEmitted: try cell(14, [Double].self), overdueEmitted: try cell(15, Bool.self),
                nextCheckAt: try cell(16, Date?.self), resumedAt: try cell(17, Date?.self)))
        }
        return out
    }

    /// Every clock of an appeal, locked for update, oldest position first.
    static func lockAll(appealID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> [DeadlineClockRow] {
        let rows = try await connection.guardedQuery("""
            SELECT \(unescaped: columns) FROM deadline_clocks WHERE appeal_id = \(appealID)
            ORDER BY round, attempt, clock FOR UPDATE
            """, logger: logger)
        return try await decode(rows)
    }

    /// Every clock of an appeal (no lock).
    public static func all(appealID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> [DeadlineClockRow] {
        let rows = try await connection.guardedQuery("""
            SELECT \(unescaped: columns) FROM deadline_clocks WHERE appeal_id = \(appealID)
            ORDER BY round, attempt, clock
            """, logger: logger)
        return try await decode(rows)
    }

    /// Inserts the row (nothing when the clock exists already).
    func insert(on connection: PostgresConnection, logger: Logger) async throws {
        let limitText = String(decoding: try MinhuJSON.encode(limit), as: UTF8.self)
        try await connection.guardedQuery("""
            INSERT INTO deadline_clocks (appeal_id, round, attempt, clock, case_number, department, policy, \
            limit_spec, started_at, window_start, due_at, state, warnings_emitted, next_check_at)
            VALUES (\(appealID), \(round), \(attempt), \(clock.rawValue), \(caseNumber), \(department), \(policy), \
            \(limitText)::jsonb, \(startedAt), \(windowStart), \(dueAt), 'running', \(warningsEmitted), \(nextCheckAt))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// Writes the mutable fields back.
    func update(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.guardedQuery("""
            UPDATE deadline_clocks SET window_start = \(windowStart), due_at = \(dueAt), state = \(state), \
            paused_at = \(pausedAt), extensions_used = \(extensionsUsed), warnings_emitted = \(warningsEmitted), \
            overdue_emitted = \(overdueEmitted), next_check_at = \(nextCheckAt), resumed_at = \(resumedAt), \
            updated_at = now()
            WHERE appeal_id = \(appealID) AND round = \(round) AND attempt = \(attempt) AND clock = \(clock.rawValue)
            """, logger: logger)
    }

    /// Stops the clock (with the row's emitted flags).
    static func stop(_ row: DeadlineClockRow, reason: String, at: Date, on connection: PostgresConnection,
                     logger: Logger) async throws {
        try await connection.guardedQuery("""
            UPDATE deadline_clocks SET state = 'stopped', stopped_at = \(at), stop_reason = \(reason), \
            warnings_emitted = \(row.warningsEmitted), overdue_emitted = \(row.overdueEmitted), \
            next_check_at = NULL, updated_at = now()
            WHERE appeal_id = \(row.appealID) AND round = \(row.round) AND attempt = \(row.attempt) \
            AND clock = \(row.clock.rawValue)
            """, logger: logger)
    }
}
