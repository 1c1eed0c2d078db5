import Foundation
import Testing
@testable import MinhuModels

@Suite("Working calendar: working time")
struct CalendarWorkingTimeTests {
    let calendar = CalendarFixtures.builtIn
    func t(_ text: String) -> Date { CalendarFixtures.instant(text) }
    func d(_ text: String) -> LocalDate { CalendarFixtures.date(text) }

    @Test("working seconds between two instants", arguments: [
        // (from, to, working hours) in Beijing time, office 09:00–17:00
        ("2024-03-04 10:00", "2024-03-04 12:00", 2.0),  // within one day
        ("2024-03-04 07:00", "2024-03-04 12:00", 3.0),  // starts before hours
        ("2024-03-04 18:00", "2024-03-05 10:00", 1.0),  // starts after hours
        ("2024-03-04 18:00", "2024-03-04 23:00", 0.0),  // all after hours
        ("2024-03-01 16:00", "2024-03-04 10:00", 2.0),  // over a plain weekend
        ("2024-03-02 10:00", "2024-03-03 15:00", 0.0),  // all on a weekend
        ("2024-03-02 10:00", "2024-03-04 10:00", 1.0),  // starts on an off day
        ("2024-02-02 16:00", "2024-02-04 10:00", 2.0),  // Sunday 4 Feb is a make-up workday
        ("2024-02-12 10:00", "2024-02-18 12:00", 3.0),  // starts inside the Spring Festival
        ("2024-02-09 16:30", "2024-02-19 09:30", 9.0),  // 0.5 + 8 (Sun 18) + 0.5
        ("2023-09-28 16:00", "2023-10-07 10:00", 2.0),  // over National Day
        ("2023-12-29 16:00", "2024-01-02 10:00", 2.0),  // over New Year
        ("2024-03-04 09:00", "2024-03-08 17:00", 40.0),  // a full week
        ("2024-03-04 12:00", "2024-03-04 10:00", -2.0),  // reversed
        ("2026-12-31 16:00", "2027-01-01 10:00", 2.0),  // after the data: Monday–Friday rule
    ])
    func workingSeconds(from: String, to: String, hours: Double) {
        #expect(calendar.workingSeconds(from: t(from), to: t(to)) == hours * 3600, "\(from) → \(to)")
    }

    @Test("add working seconds", arguments: [
        // (start, working hours, expected)
        ("2024-03-04 09:00", 8.0, "2024-03-04 17:00"),  // a full day ends at the close, not next opening
        ("2024-03-04 16:00", 2.0, "2024-03-05 10:00"),
        ("2024-03-04 07:00", 1.0, "2024-03-04 10:00"),  // before hours: counts from opening
        ("2024-03-04 19:00", 1.0, "2024-03-05 10:00"),  // after hours
        ("2024-03-02 10:00", 1.0, "2024-03-04 10:00"),  // on a Saturday
        ("2024-03-01 17:00", 8.0, "2024-03-04 17:00"),
        ("2024-02-09 16:00", 3.0, "2024-02-18 11:00"),  // over the Spring Festival to a make-up Sunday
        ("2024-03-05 10:00", -1.0, "2024-03-05 09:00"),  // back to the opening
        ("2024-03-05 10:00", -2.0, "2024-03-04 16:00"),
        ("2024-03-04 10:00", -2.0, "2024-03-01 16:00"),  // back over a weekend
        ("2024-03-04 10:00", 0.0, "2024-03-04 10:00"),
        ("2024-03-02 10:00", 0.0, "2024-03-02 10:00"),  // zero leaves an off-hours instant alone
        ("2024-03-04 10:00", 0.5, "2024-03-04 10:30"),
    ])
    func addWorkingSeconds(start: String, hours: Double, expected: String) {
        let result = calendar.addWorkingSeconds(hours * 3600, to: t(start))
        #expect(result == t(expected), "\(start) + \(hours) h = \(CalendarFixtures.text(result)), expected \(expected)")
    }

    @Test("adding then measuring working time gives it back")
    func addIsInverseOfMeasure() {
        var generator = SystemRandomNumberGenerator()
        let low = t("2019-11-01 00:00").timeIntervalSince1970
        let high = t("2027-02-01 00:00").timeIntervalSince1970
        for _ in 0..<2000 {
            let start = Date(timeIntervalSince1970: Double(Int.random(in: Int(low)...Int(high), using: &generator)))
            let seconds = Double(Int.random(in: 1...(30 * 28_800), using: &generator))
            let end = calendar.addWorkingSeconds(seconds, to: start)
            #expect(calendar.workingSeconds(from: start, to: end) == seconds)
            #expect(calendar.isWithinOfficeHours(end) || calendar.isWithinOfficeHours(end.addingTimeInterval(-1)))
        }
    }

    @Test("close and opening of office in local time")
    func closeOfOffice() {
        #expect(calendar.closeOfOffice(on: d("2024-02-18")) == t("2024-02-18 17:00"))
        #expect(calendar.closeOfOffice(on: d("2024-02-18")).timeIntervalSince1970
            == Double(d("2024-02-18").dayNumber * 86_400 + 9 * 3600))  // 09:00 UTC
        #expect(calendar.openingOfOffice(on: d("2024-02-18")) == t("2024-02-18 09:00"))
        let hours = OfficeHours(opens: "08:30", closes: "18:00")!
        #expect(calendar.closeOfOffice(on: d("2024-03-04"), officeHours: hours) == t("2024-03-04 18:00"))
        #expect(calendar.isWithinOfficeHours(t("2024-03-04 09:00")))
        #expect(!calendar.isWithinOfficeHours(t("2024-03-04 17:00")))
        #expect(!calendar.isWithinOfficeHours(t("2024-02-12 10:00")))
        #expect(calendar.isWithinOfficeHours(t("2024-02-18 10:00")))
    }

    @Test("configurable office hours")
    func customOfficeHours() {
        let hours = OfficeHours(opens: "08:30", closes: "17:30")!
        #expect(calendar.workingSeconds(from: t("2024-03-04 08:00"), to: t("2024-03-05 09:00"),
                                        officeHours: hours) == 9.5 * 3600)
        #expect(calendar.addWorkingSeconds(9 * 3600, to: t("2024-03-04 08:30"), officeHours: hours)
            == t("2024-03-04 17:30"))
        #expect(calendar.addWorkingSeconds(3600, to: t("2024-03-04 17:00"), officeHours: hours)
            == t("2024-03-05 09:00"))
    }

    @Test("another time zone: office hours are local to it")
    func otherTimeZone() {
        let utc = TimeZone(identifier: "UTC")!
        // 2024-03-04 16:00 UTC is Tuesday 00:00 in Beijing: after hours in Beijing, within hours in UTC.
        let instant = CalendarFixtures.instant("2024-03-04 16:00", utcOffsetHours: 0)
        #expect(calendar.isWithinOfficeHours(instant, timeZone: utc))
        #expect(!calendar.isWithinOfficeHours(instant))
        #expect(calendar.closeOfOffice(on: d("2024-03-04"), timeZone: utc)
            == CalendarFixtures.instant("2024-03-04 17:00", utcOffsetHours: 0))
        #expect(calendar.workingSeconds(from: instant, to: instant.addingTimeInterval(7200), timeZone: utc) == 3600)
        // A zone with daylight saving time: office hours stay 09:00–17:00 on the wall clock.
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let before = CalendarFixtures.instant("2024-03-29 09:00", utcOffsetHours: 1)  // Friday (CET)
        let after = calendar.addWorkingSeconds(8 * 3600 + 3600, to: before, timeZone: berlin)
        #expect(after == CalendarFixtures.instant("2024-04-01 10:00", utcOffsetHours: 2))  // Monday (CEST)
    }
}
