import Foundation
import Testing
@testable import MinhuModels

@Suite("Deadlines: due times, warnings, pauses, extensions")
struct DeadlineCalculatorTests {
    let calendar = CalendarFixtures.builtIn
    func t(_ text: String) -> Date { CalendarFixtures.instant(text) }

    func due(_ limit: DeadlineLimit, _ received: String) -> String {
        CalendarFixtures.text(DeadlineCalculator.due(limit: limit, receivedAt: t(received), calendar: calendar))
    }

    @Test("N working days: from the next working day, due at the close of office on the Nth", arguments: [
        // (received, n, due)
        ("2024-03-04 10:00", 5, "2024-03-11 17:00:00"),  // Monday → next Monday
        ("2024-03-04 07:30", 5, "2024-03-11 17:00:00"),  // before hours: the arrival day still doesn't count
        ("2024-03-04 23:30", 5, "2024-03-11 17:00:00"),  // after hours
        ("2024-03-02 10:00", 5, "2024-03-08 17:00:00"),  // Saturday: Monday is day 1
        ("2024-03-04 10:00", 1, "2024-03-05 17:00:00"),
        ("2024-02-08 10:00", 5, "2024-02-21 17:00:00"),  // 9 Feb, 18 Feb (Sunday), 19, 20, 21
        ("2024-02-12 10:00", 2, "2024-02-19 17:00:00"),  // arrives during the holiday
        ("2023-12-28 11:00", 5, "2024-01-05 17:00:00"),  // across New Year: 29 Dec, 2–5 Jan
        ("2023-09-27 15:00", 5, "2023-10-10 17:00:00"),  // 28 Sep, 7, 8, 9, 10 Oct
        ("2020-01-22 09:30", 2, "2020-02-03 17:00:00"),  // 23 Jan, then over the holiday extended to 2 Feb
        ("2024-03-04 10:00", 10, "2024-03-18 17:00:00"),
        ("2026-12-29 10:00", 5, "2027-01-05 17:00:00"),  // past the data: Monday–Friday (no 2027 New Year)
    ])
    func workingDays(received: String, n: Int, expected: String) {
        #expect(due(.workingDays(n), received) == expected)
    }

    @Test("arrival is read in local time: 01:00 Monday in Beijing is Sunday in UTC")
    func localArrivalDay() {
        let received = CalendarFixtures.instant("2024-03-03 17:00", utcOffsetHours: 0)  // 2024-03-04 01:00 +08
        #expect(CalendarFixtures.text(DeadlineCalculator.due(limit: .workingDays(5), receivedAt: received,
                                                             calendar: calendar)) == "2024-03-11 17:00:00")
    }

    @Test("即办: same working day, or the next one after hours or on an off day", arguments: [
        ("2024-03-04 10:00", "2024-03-04 17:00:00"),
        ("2024-03-04 07:30", "2024-03-04 17:00:00"),  // before hours: still that day
        ("2024-03-04 00:00", "2024-03-04 17:00:00"),
        ("2024-03-04 16:59", "2024-03-04 17:00:00"),
        ("2024-03-04 17:00", "2024-03-05 17:00:00"),  // at the close: after hours
        ("2024-03-04 18:00", "2024-03-05 17:00:00"),
        ("2024-03-01 18:00", "2024-03-04 17:00:00"),  // Friday evening → Monday
        ("2024-03-02 11:00", "2024-03-04 17:00:00"),  // Saturday
        ("2024-02-04 11:00", "2024-02-04 17:00:00"),  // make-up Sunday is a working day
        ("2024-02-09 18:00", "2024-02-18 17:00:00"),  // after hours before the Spring Festival
        ("2023-12-29 17:30", "2024-01-02 17:00:00"),  // after hours before New Year
    ])
    func sameWorkingDay(received: String, expected: String) {
        #expect(due(.sameWorkingDay, received) == expected)
    }

    @Test("hour limits are calendar hours: nights and holidays count", arguments: [
        ("2024-03-04 10:00", 2, "2024-03-04 12:00:00"),
        ("2024-03-04 16:30", 2, "2024-03-04 18:30:00"),
        ("2024-02-10 23:30", 2, "2024-02-11 01:30:00"),  // on a holiday, past midnight
        ("2024-03-01 15:00", 24, "2024-03-02 15:00:00"),  // into a Saturday
        ("2023-12-31 12:00", 24, "2024-01-01 12:00:00"),
    ])
    func hours(received: String, n: Int, expected: String) {
        #expect(due(.hours(n), received) == expected)
    }

    @Test("custom office hours move the close of office")
    func customOfficeHours() {
        let hours = OfficeHours(opens: "08:30", closes: "17:30")!
        let due = DeadlineCalculator.due(policy: DeadlinePolicy(name: "x", limit: .workingDays(1)),
                                         receivedAt: t("2024-03-04 10:00"), calendar: calendar, officeHours: hours)
        #expect(due == t("2024-03-05 17:30"))
        #expect(DeadlineCalculator.due(limit: .sameWorkingDay, receivedAt: t("2024-03-04 17:15"), calendar: calendar,
                                       officeHours: hours) == t("2024-03-04 17:30"))
    }

    @Test("warnings at 60 % and 80 % of working time for day limits")
    func warningsWorkingTime() {
        // Received Monday 10:00, due next Monday 17:00: 7 + 4 × 8 + 8 = 47 working hours.
        let start = t("2024-03-04 10:00")
        let due = DeadlineCalculator.due(limit: .workingDays(5), receivedAt: start, calendar: calendar)
        let warnings = DeadlineCalculator.warningTimes(limit: .workingDays(5), start: start, due: due,
                                                       calendar: calendar)
        // 60 % = 28.2 h: 7 (Mon) + 8 (Tue) + 8 (Wed) + 5.2 → Thursday 14:12; 80 % = 37.6 h → Friday 15:36.
        #expect(warnings == [t("2024-03-07 14:12"), t("2024-03-08 15:36")])
    }

    @Test("warnings over the Spring Festival skip the holiday")
    func warningsOverHoliday() {
        let start = t("2024-02-08 10:00")
        let due = DeadlineCalculator.due(limit: .workingDays(5), receivedAt: start, calendar: calendar)
        #expect(due == t("2024-02-21 17:00"))
        let warnings = DeadlineCalculator.warningTimes(limit: .workingDays(5), start: start, due: due,
                                                       shares: [0.6], calendar: calendar)
        // 47 h again: 7 (8 Feb) + 8 (9 Feb) + 8 (18 Feb) + 5.2 → 19 Feb 14:12.
        #expect(warnings == [t("2024-02-19 14:12")])
    }

    @Test("warnings for 即办 arriving before hours are measured from the opening")
    func warningsSameDay() {
        let start = t("2024-03-04 07:00")
        let due = DeadlineCalculator.due(limit: .sameWorkingDay, receivedAt: start, calendar: calendar)
        let warnings = DeadlineCalculator.warningTimes(limit: .sameWorkingDay, start: start, due: due,
                                                       calendar: calendar)
        #expect(warnings == [t("2024-03-04 13:48"), t("2024-03-04 15:24")])
    }

    @Test("warnings for hour limits are calendar time")
    func warningsHours() {
        let start = t("2024-03-04 16:00")
        let due = DeadlineCalculator.due(limit: .hours(2), receivedAt: start, calendar: calendar)
        #expect(DeadlineCalculator.warningTimes(limit: .hours(2), start: start, due: due, calendar: calendar)
            == [t("2024-03-04 17:12"), t("2024-03-04 17:36")])
    }

    @Test("elapsed share")
    func elapsedShare() {
        let start = t("2024-03-04 10:00")
        let due = t("2024-03-11 17:00")
        func share(_ now: String, _ limit: DeadlineLimit = .workingDays(5)) -> Double {
            DeadlineCalculator.elapsedShare(limit: limit, start: start, due: due, now: t(now), calendar: calendar)
        }
        #expect(share("2024-03-04 10:00") == 0)
        #expect(share("2024-03-07 14:12") == 0.6)
        #expect(share("2024-03-11 17:00") == 1)
        #expect(share("2024-03-12 17:00") > 1)
        #expect(share("2024-03-09 12:00") == share("2024-03-10 12:00"))  // the weekend doesn't count
    }

    @Test("pause and resume move the due time by the paused working time", arguments: [
        // (pause, resume, new due) for a 5-working-day due of Monday 2024-03-11 17:00
        ("2024-03-06 15:00", "2024-03-07 11:00", "2024-03-12 13:00"),  // 2 h + 2 h
        ("2024-03-08 16:00", "2024-03-11 09:00", "2024-03-12 10:00"),  // 1 h; the weekend doesn't count
        ("2024-03-09 10:00", "2024-03-10 18:00", "2024-03-11 17:00"),  // weekend only: no change
        ("2024-03-06 09:00", "2024-03-07 09:00", "2024-03-12 17:00"),  // exactly one working day
        ("2024-03-05 09:00", "2024-03-09 12:00", "2024-03-15 17:00"),  // four working days
        ("2024-03-06 12:00", "2024-03-06 12:00", "2024-03-11 17:00"),  // zero length
        ("2024-03-07 12:00", "2024-03-06 12:00", "2024-03-11 17:00"),  // resume before pause: ignored
        ("2024-03-12 10:00", "2024-03-12 12:00", "2024-03-12 11:00"),  // paused 1 h overdue: still 1 h overdue at resume
    ])
    func pauseResume(pause: String, resume: String, expected: String) {
        let shifted = DeadlineCalculator.shifted(due: t("2024-03-11 17:00"), byPausedFrom: t(pause), to: t(resume),
                                                 limit: .workingDays(5), calendar: calendar)
        #expect(CalendarFixtures.text(shifted) == expected + ":00")
    }

    @Test("a pause across the Spring Festival counts only the working time in it")
    func pauseOverHoliday() {
        // Due Wednesday 2024-02-21 17:00; paused Friday 9 Feb 15:00 → Monday 19 Feb 10:00 = 2 + 8 (Sun 18) + 1 h.
        let shifted = DeadlineCalculator.shifted(due: t("2024-02-21 17:00"), byPausedFrom: t("2024-02-09 15:00"),
                                                 to: t("2024-02-19 10:00"), limit: .workingDays(5), calendar: calendar)
        #expect(shifted == t("2024-02-23 12:00"))  // 21 Feb 17:00 + 8 h (22 Feb) + 3 h
        #expect(calendar.workingSeconds(from: t("2024-02-21 17:00"), to: shifted) == 11 * 3600)
    }

    @Test("pausing an hour limit moves it by calendar time")
    func pauseHours() {
        let shifted = DeadlineCalculator.shifted(due: t("2024-03-02 15:00"), byPausedFrom: t("2024-03-01 16:00"),
                                                 to: t("2024-03-01 16:30"), limit: .hours(24), calendar: calendar)
        #expect(shifted == t("2024-03-02 15:30"))
    }

    @Test("extension by working days keeps the close of office")
    func extensions() {
        let extended = DeadlineCalculator.extended(due: t("2024-02-09 17:00"), byWorkingDays: 10, calendar: calendar)
        #expect(extended == t("2024-02-29 17:00"))  // 18 Feb, 19–23, 26–29 Feb
        let rule = ExtensionRule.standard
        #expect(rule.check(workingDays: 10, extensionsThisRound: 0) == .allowed)
        #expect(rule.check(workingDays: 11, extensionsThisRound: 0) == .tooLong(max: 10))
        #expect(rule.check(workingDays: 5, extensionsThisRound: 1) == .limitReached(perRound: 1))
        #expect(rule.check(workingDays: 0, extensionsThisRound: 0) == .notPositive)
    }

    @Test("sign-by and rejection use the same counting")
    func signByAndRejection() throws {
        let policies = try DeadlinePolicySet.builtIn()
        let dispatched = t("2024-02-09 10:00")
        #expect(DeadlineCalculator.due(policy: policies.signBy, receivedAt: dispatched, calendar: calendar)
            == t("2024-02-18 17:00"))
        #expect(DeadlineCalculator.due(policy: policies.rejection, receivedAt: dispatched, calendar: calendar)
            == t("2024-02-19 17:00"))
    }
}
