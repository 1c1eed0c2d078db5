import Foundation

/// Due times, warnings, pauses and extensions, as pure functions of a calendar, office hours and a zone.
///
/// Counting rules (DESIGN §6, `docs/deadlines.md`):
/// - `.workingDays(n)`: counted from the next working day after the local day of arrival (the arrival day never
///   counts, whatever the hour); due at the close of office on the nth. Monday 10:00 + 5 → next Monday 17:00.
/// - `.sameWorkingDay` (即办): due at the close of office of the arrival day when that is a working day and the
///   appeal arrives before the close (before opening included); otherwise at the close of the next working day.
/// - `.hours(n)`: n calendar hours after arrival.
/// Working-time limits measure warnings and pauses in working time; hour limits in calendar time.
public enum DeadlineCalculator {
    /// The due time of `policy` for something that arrived at `receivedAt`.
    public static func due(policy: DeadlinePolicy, receivedAt: Date, calendar: WorkingCalendar,
                           officeHours: OfficeHours = .standard,
                           timeZone: TimeZone = WorkingCalendar.defaultTimeZone) -> Date {
        due(limit: policy.limit, receivedAt: receivedAt, calendar: calendar, officeHours: officeHours,
            timeZone: timeZone)
    }

    /// The due time of `limit` for something that arrived at `receivedAt`.
    public static func due(limit: DeadlineLimit, receivedAt: Date, calendar: WorkingCalendar,
                           officeHours: OfficeHours = .standard,
                           timeZone: TimeZone = WorkingCalendar.defaultTimeZone) -> Date {
        switch limit {
        case .hours(let hours):
            return receivedAt.addingTimeInterval(Double(hours) * 3600)
        case .workingDays(let n):
            let day = LocalDate(receivedAt, in: timeZone)
            return calendar.closeOfOffice(on: calendar.addWorkingDays(max(n, 1), to: day), officeHours: officeHours,
                                          timeZone: timeZone)
        case .sameWorkingDay:
            let (dayNumber, second) = WorkingCalendar.localParts(receivedAt, timeZone)
            let day = LocalDate(dayNumber: dayNumber)
            if calendar.isWorkingDay(day), second < Double(officeHours.closesAt) {
                return calendar.closeOfOffice(on: day, officeHours: officeHours, timeZone: timeZone)
            }
            return calendar.closeOfOffice(on: calendar.nextWorkingDay(after: day), officeHours: officeHours,
                                          timeZone: timeZone)
        }
    }

    /// The instants at which the given shares of the time from `start` to `due` have elapsed: measured in working
    /// time for working-time limits (so 60 % of 5 working days is 3 working days in), in calendar time for hour
    /// limits. One instant per share, in the order given.
    public static func warningTimes(limit: DeadlineLimit, start: Date, due: Date, shares: [Double] = [0.6, 0.8],
                                    calendar: WorkingCalendar, officeHours: OfficeHours = .standard,
                                    timeZone: TimeZone = WorkingCalendar.defaultTimeZone) -> [Date] {
        if limit.isWorkingTime {
            let total = calendar.workingSeconds(from: start, to: due, officeHours: officeHours, timeZone: timeZone)
            return shares.map { share in
                calendar.addWorkingSeconds(total * share, to: start, officeHours: officeHours, timeZone: timeZone)
            }
        }
        let total = due.timeIntervalSince(start)
        return shares.map { start.addingTimeInterval(total * $0) }
    }

    /// The share (0 at `start`, 1 at `due`, above 1 when overdue) of the allowed time elapsed at `now`, measured
    /// like ``warningTimes(limit:start:due:shares:calendar:officeHours:timeZone:)``.
    public static func elapsedShare(limit: DeadlineLimit, start: Date, due: Date, now: Date,
                                    calendar: WorkingCalendar, officeHours: OfficeHours = .standard,
                                    timeZone: TimeZone = WorkingCalendar.defaultTimeZone) -> Double {
        let (total, elapsed): (Double, Double)
        if limit.isWorkingTime {
            total = calendar.workingSeconds(from: start, to: due, officeHours: officeHours, timeZone: timeZone)
            elapsed = calendar.workingSeconds(from: start, to: now, officeHours: officeHours, timeZone: timeZone)
        } else {
            total = due.timeIntervalSince(start)
            elapsed = now.timeIntervalSince(start)
        }
        if total <= 0 { return now >= due ? 1 : 0 }
        return elapsed / total
    }

    /// The due time after a pause (waiting on the citizen) from `pausedFrom` to `resumedAt`: moved later by the
    /// paused time, working time for working-time limits (a pause over a weekend moves nothing; a pause of one whole
    /// working day moves a 17:00 due to 17:00 of the next working day), calendar time for hour limits. A clock
    /// paused while already overdue stays overdue by the same amount. `resumedAt <= pausedFrom` changes nothing.
    public static func shifted(due: Date, byPausedFrom pausedFrom: Date, to resumedAt: Date, limit: DeadlineLimit,
                               calendar: WorkingCalendar, officeHours: OfficeHours = .standard,
                               timeZone: TimeZone = WorkingCalendar.defaultTimeZone) -> Date {
        guard resumedAt > pausedFrom else { return due }
        if limit.isWorkingTime {
            let paused = calendar.workingSeconds(from: pausedFrom, to: resumedAt, officeHours: officeHours,
                                                 timeZone: timeZone)
            return calendar.addWorkingSeconds(paused, to: due, officeHours: officeHours, timeZone: timeZone)
        }
        return due.addingTimeInterval(resumedAt.timeIntervalSince(pausedFrom))
    }

    /// The due time after an approved extension of `workingDays` working days: that much working time later (a due
    /// at the close of office moves to the close of office `workingDays` working days later). Check the request
    /// with ``ExtensionRule/check(workingDays:extensionsThisRound:)`` first.
    public static func extended(due: Date, byWorkingDays workingDays: Int, calendar: WorkingCalendar,
                                officeHours: OfficeHours = .standard,
                                timeZone: TimeZone = WorkingCalendar.defaultTimeZone) -> Date {
        calendar.addWorkingSeconds(Double(workingDays * officeHours.secondsPerDay), to: due, officeHours: officeHours,
                                   timeZone: timeZone)
    }
}
