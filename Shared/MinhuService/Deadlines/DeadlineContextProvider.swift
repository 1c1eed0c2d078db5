import Foundation
import Logging
import MinhuModels
import PostgresNIO

/// Hands the handler, the watcher and the decider their ``DeadlineContext``: a fixed one (tests), or one loaded
/// from the database on first use (the service: `calendar_days` may gain local days off before it starts).
public actor DeadlineContextProvider {
    private var cached: DeadlineContext?
    private let timeZone: TimeZone
    /// The service's clock: how near the calendar's end is, is measured in its time (a compressed demo clock too).
    private let clock: any MinhuClock

    /// Always `context`.
    public init(_ context: DeadlineContext, clock: any MinhuClock = SystemClock()) {
        cached = context
        timeZone = context.timeZone
        self.clock = clock
    }

    /// Loaded from the database (``DeadlineContext/load(on:timeZone:logger:)``) on first use, then kept.
    public init(loadingWith timeZone: TimeZone, clock: any MinhuClock = SystemClock()) {
        cached = nil
        self.timeZone = timeZone
        self.clock = clock
    }

    /// Logs ``coverageWarning(_:now:timeZone:horizonDays:)`` for the loaded calendar at the clock's now, if any: at
    /// the first load, and from the watcher's hourly housekeeping, so that a service running into the calendar's
    /// last weeks warns without a restart.
    public func warnIfCalendarEndsSoon(logger: Logger) {
        guard let cached, let warning = Self.coverageWarning(cached.calendar, now: clock.now(), timeZone: timeZone)
        else { return }
        logger.warning("\(warning)")
    }

    /// A warning when the calendar's State Council days end within `horizonDays` of `now`: after its last year
    /// deadlines count Monday to Friday only (no holidays, no make-up workdays), so due times around the next New
    /// Year and Spring Festival would be early. Nil when the calendar reaches far enough.
    public static func coverageWarning(_ calendar: WorkingCalendar, now: Date, timeZone: TimeZone,
                                       horizonDays: Int = 60) -> String? {
        let horizon = LocalDate(now, in: timeZone).adding(days: horizonDays)
        guard let years = calendar.coveredYears else {
            return "the working-day calendar holds no State Council days: deadlines count Monday to Friday only"
        }
        guard years.upperBound < horizon.year else { return nil }
        return "the working-day calendar ends with \(years.upperBound): deadlines after it count Monday to Friday "
            + "only (no holidays, no make-up workdays); load \(years.upperBound + 1)'s State Council calendar with "
            + "`minhu calendar import-year \(years.upperBound + 1).csv` and restart minhu-deadlines"
    }

    public func context(on connection: PostgresConnection, logger: Logger) async throws -> DeadlineContext {
        if let cached { return cached }
        let loaded = try await DeadlineContext.load(on: connection, timeZone: timeZone, logger: logger)
        cached = loaded
        logger.info("deadline calendar loaded", metadata: [
            "calendar.local_off_days": "\(loaded.calendar.localOffDays.count)",
            "calendar.years": "\(loaded.calendar.coveredYears.map { "\($0.lowerBound)-\($0.upperBound)" } ?? "none")"])
        warnIfCalendarEndsSoon(logger: logger)
        return loaded
    }
}
