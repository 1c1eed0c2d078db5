import Foundation

/// Working *time*: only office hours on working days count, in the jurisdiction's local time.
///
/// Every function maps an instant to a monotone "working clock" `C(t)` = office seconds elapsed on working days
/// before `t` (since a fixed origin); differences of `C` are working seconds, and its inverse gives the instant a
/// number of working seconds away. Both are O(1). Office hours are local wall-clock times; on a day when the zone
/// changes its offset (not in Asia/Shanghai) the office span is still taken from the wall clock.
extension WorkingCalendar {
    /// Asia/Shanghai (UTC+8 all year), the default zone of a jurisdiction.
    public static let defaultTimeZone: TimeZone =
        TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!

    /// Working seconds in `[from, to)`: office time on working days only. Negative when `to < from`.
    ///
    /// Example: Friday 16:00 → Monday 10:00 (plain weekend, 09:00–17:00) is 2 h = 7,200 s.
    public func workingSeconds(from: Date, to: Date, officeHours: OfficeHours = .standard,
                               timeZone: TimeZone = WorkingCalendar.defaultTimeZone) -> TimeInterval {
        workingClock(at: to, officeHours, timeZone) - workingClock(at: from, officeHours, timeZone)
    }

    /// The instant `seconds` of working time after `date` (before it when negative); `0` returns `date` itself.
    ///
    /// A result that falls exactly on the boundary between two working days is the close of office of the earlier
    /// day when moving forward (8 h after Monday 09:00 is Monday 17:00, not Tuesday 09:00) and the opening of the
    /// later day when moving back. Starting off hours or on an off day, time starts counting at the next opening.
    public func addWorkingSeconds(_ seconds: TimeInterval, to date: Date, officeHours: OfficeHours = .standard,
                                  timeZone: TimeZone = WorkingCalendar.defaultTimeZone) -> Date {
        guard seconds != 0 else { return date }
        let length = Double(officeHours.secondsPerDay)
        let target = workingClock(at: date, officeHours, timeZone) + seconds
        let index = (target / length).rounded(.down)
        let remainder = target - index * length
        if seconds > 0, remainder == 0 {
            return localInstant(day: workingDay(index: Int(index) - 1), second: Double(officeHours.closesAt),
                                timeZone)
        }
        return localInstant(day: workingDay(index: Int(index)), second: Double(officeHours.opensAt) + remainder,
                            timeZone)
    }

    /// The close of office on `date` (e.g. 17:00 local), whether or not `date` is a working day.
    public func closeOfOffice(on date: LocalDate, officeHours: OfficeHours = .standard,
                              timeZone: TimeZone = WorkingCalendar.defaultTimeZone) -> Date {
        localInstant(day: date.dayNumber, second: Double(officeHours.closesAt), timeZone)
    }

    /// The opening of office on `date` (e.g. 09:00 local), whether or not `date` is a working day.
    public func openingOfOffice(on date: LocalDate, officeHours: OfficeHours = .standard,
                                timeZone: TimeZone = WorkingCalendar.defaultTimeZone) -> Date {
        localInstant(day: date.dayNumber, second: Double(officeHours.opensAt), timeZone)
    }

    /// True when `date` is on a working day, at or after opening and before the close of office.
    public func isWithinOfficeHours(_ date: Date, officeHours: OfficeHours = .standard,
                                    timeZone: TimeZone = WorkingCalendar.defaultTimeZone) -> Bool {
        let (day, second) = WorkingCalendar.localParts(date, timeZone)
        return isWorkingDay(dayNumber: day) && second >= Double(officeHours.opensAt)
            && second < Double(officeHours.closesAt)
    }

    // MARK: Helpers

    /// `C(t)`: working seconds before `date` since the origin.
    func workingClock(at date: Date, _ officeHours: OfficeHours, _ timeZone: TimeZone) -> Double {
        let (day, second) = WorkingCalendar.localParts(date, timeZone)
        let length = Double(officeHours.secondsPerDay)
        var clock = Double(workingDayCount(before: day)) * length
        if isWorkingDay(dayNumber: day) {
            clock += min(max(second - Double(officeHours.opensAt), 0), length)
        }
        return clock
    }

    /// Local day number and seconds after local midnight of `date`.
    static func localParts(_ date: Date, _ timeZone: TimeZone) -> (day: Int, second: Double) {
        let local = date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))
        let day = (local / 86_400).rounded(.down)
        return (Int(day), local - day * 86_400)
    }

    /// The instant of local day `day` at `second` after midnight.
    func localInstant(day: Int, second: Double, _ timeZone: TimeZone) -> Date {
        let local = Double(day) * 86_400 + second
        let guess = local - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local)))
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: guess))
        return Date(timeIntervalSince1970: local - Double(offset))
    }
}
