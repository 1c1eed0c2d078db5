import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// What the deadlines service counts with: the working calendar (built-in days plus the jurisdiction's local days
/// off from `calendar_days`), office hours, the time zone and the policy set (warning shares, extension rule).
public struct DeadlineContext: Sendable {
    /// The outbox producer and AMQP `app_id` of everything the deadlines service emits.
    public static let producer = "minhu-deadlines"

    public var calendar: WorkingCalendar
    public var officeHours: OfficeHours
    public var timeZone: TimeZone
    public var policies: DeadlinePolicySet

    public init(calendar: WorkingCalendar, officeHours: OfficeHours = .standard,
                timeZone: TimeZone = WorkingCalendar.defaultTimeZone, policies: DeadlinePolicySet) {
        self.calendar = calendar
        self.officeHours = officeHours
        self.timeZone = timeZone
        self.policies = policies
    }

    /// The built-in calendar and policies, no database.
    public static func builtIn(timeZone: TimeZone = WorkingCalendar.defaultTimeZone) throws -> DeadlineContext {
        let policies = try DeadlinePolicySet.builtIn()
        return DeadlineContext(calendar: try WorkingCalendar.builtIn(), officeHours: policies.officeHours,
                               timeZone: timeZone, policies: policies)
    }

    /// The calendar of `calendar_days` (its `builtin` rows, or the built-in files when there are none) with its
    /// `local` off days added (`minhu calendar add-off`), and the
    /// policy document named `default` in `deadline_policies` when there is one (the built-in set otherwise), with
    /// its office hours.
    public static func load(from database: MinhuDatabase, timeZone: TimeZone = WorkingCalendar.defaultTimeZone,
                            logger: Logger) async throws -> DeadlineContext {
        try await database.withConnection { connection in
            try await load(on: connection, timeZone: timeZone, logger: logger)
        }
    }

    /// ``load(from:timeZone:logger:)`` on a connection the caller holds.
    public static func load(on connection: PostgresConnection, timeZone: TimeZone = WorkingCalendar.defaultTimeZone,
                            logger: Logger) async throws -> DeadlineContext {
        var offDays: [(date: LocalDate, name: String)] = []
        var official: [CalendarEntry] = []
        let rows = try await connection.guardedQuery(
            "SELECT to_char(day, 'YYYY-MM-DD'), kind, name, source FROM calendar_days ORDER BY day", logger: logger)
        for try await (day, kind, name, source) in rows.decode((String, String, String, String).self) {
            guard let date = LocalDate(iso: day) else { continue }
            if source == "local" && kind == "off" {
                offDays.append((date, name))
            } else if source == "builtin", let kind = CalendarEntry.Kind(rawValue: kind) {
                official.append(CalendarEntry(date: date, kind: kind, name: name))
            }
        }
        let policies = try await policiesInForce(on: connection, logger: logger)
        // The State Council's days as loaded into the database (the built-in files when the table has none).
        let base = official.isEmpty ? try WorkingCalendar.builtIn() : try WorkingCalendar(entries: official)
        return DeadlineContext(calendar: base.adding(offDays: offDays), officeHours: policies.officeHours,
                               timeZone: timeZone, policies: policies)
    }

    /// The policy document named `default` in `deadline_policies`, or the built-in set when there is none.
    public static func policiesInForce(on connection: PostgresConnection, logger: Logger) async throws
        -> DeadlinePolicySet {
        var policies = try DeadlinePolicySet.builtIn()
        let documents = try await connection.guardedQuery(
            "SELECT document::text FROM deadline_policies WHERE name = 'default'", logger: logger)
        for try await (document,) in documents.decode((String,).self) {
            policies = try DeadlinePolicySet(json: Data(document.utf8), source: "deadline_policies 'default'",
                                             capped: false)
        }
        return policies
    }

    /// The sign-by and warning instants of a clock, with the share each is for (1 = overdue), ascending.
    func checkpoints(limit: DeadlineLimit, windowStart: Date, due: Date) -> [(share: Double, at: Date)] {
        let shares = policies.warningShares
        let times = DeadlineCalculator.warningTimes(limit: limit, start: windowStart, due: due, shares: shares,
                                                    calendar: calendar, officeHours: officeHours, timeZone: timeZone)
        return Array(zip(shares, times)).map { (share: $0.0, at: $0.1) } + [(share: 1, at: due)]
    }

    /// The next instant something is left to emit for a clock, nil when everything was emitted.
    func nextCheck(limit: DeadlineLimit, windowStart: Date, due: Date, warningsEmitted: [Double],
                   overdueEmitted: Bool) -> Date? {
        checkpoints(limit: limit, windowStart: windowStart, due: due).filter { point in
            !Self.isEmitted(share: point.share, warningsEmitted: warningsEmitted, overdueEmitted: overdueEmitted)
        }.map(\.at).min()
    }

    /// True when the threshold at `share` (1 = overdue) is among those a clock has emitted already.
    static func isEmitted(share: Double, warningsEmitted: [Double], overdueEmitted: Bool) -> Bool {
        share >= 1 ? overdueEmitted : warningsEmitted.contains(where: { abs($0 - share) < 1e-9 })
    }

    /// Moves `date` later by the working (or calendar, for hour limits) time between `from` and `to`.
    func shifted(_ date: Date, pausedFrom from: Date, to: Date, limit: DeadlineLimit) -> Date {
        DeadlineCalculator.shifted(due: date, byPausedFrom: from, to: to, limit: limit, calendar: calendar,
                                   officeHours: officeHours, timeZone: timeZone)
    }
}
