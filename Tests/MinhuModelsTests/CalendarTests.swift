import Foundation
import Testing
@testable import MinhuModels

@Suite("Working calendar: days")
struct CalendarTests {
    let calendar = CalendarFixtures.builtIn
    func d(_ text: String) -> LocalDate { CalendarFixtures.date(text) }

    @Test("built-in calendar covers 2020–2026 from the bundled files")
    func builtInCoverage() throws {
        #expect(calendar.coveredYears == 2020...2026)
        #expect(calendar.covers(d("2026-12-31")))
        #expect(!calendar.covers(d("2027-01-01")))
        #expect(calendar.entries.count > 200)
        #expect(calendar.localOffDays.isEmpty)
        #expect(WorkingCalendar.builtInDirectory != nil)
    }

    @Test("2024 Spring Festival: make-up Sundays 4 and 18 Feb work, 10–17 Feb off")
    func springFestival2024() {
        #expect(calendar.isWorkingDay(d("2024-02-04")))  // Sunday, 调休上班
        #expect(calendar.isWorkingDay(d("2024-02-09")))  // Friday, 除夕 not an official holiday in 2024
        for day in 10...17 {
            let date = d("2024-02-\(day)")
            #expect(!calendar.isWorkingDay(date), "\(date)")
            #expect(calendar.name(of: date) == "春节", "\(date)")
        }
        #expect(calendar.isWorkingDay(d("2024-02-18")))  // Sunday, 调休上班
        #expect(calendar.name(of: d("2024-02-18")) == nil)  // working days have no off-day name
        #expect(calendar.entry(on: d("2024-02-18"))?.name == "调休上班（春节）")
        #expect(!calendar.isWorkingDay(d("2024-02-03")))  // plain Saturday
        #expect(calendar.name(of: d("2024-02-03")) == nil)
        #expect(calendar.nextWorkingDay(after: d("2024-02-09")) == d("2024-02-18"))
        #expect(calendar.nextWorkingDay(after: d("2024-02-03")) == d("2024-02-04"))
    }

    @Test("2025: make-up Sunday 26 Jan, Spring Festival 28 Jan – 4 Feb, make-up Saturday 8 Feb")
    func springFestival2025() {
        #expect(calendar.isWorkingDay(d("2025-01-26")))
        #expect(calendar.isWorkingDay(d("2025-01-27")))
        #expect(!calendar.isWorkingDay(d("2025-01-28")))
        #expect(!calendar.isWorkingDay(d("2025-02-04")))
        #expect(calendar.isWorkingDay(d("2025-02-08")))
        #expect(calendar.addWorkingDays(1, to: d("2025-01-25")) == d("2025-01-26"))
        #expect(calendar.addWorkingDays(2, to: d("2025-01-25")) == d("2025-01-27"))
        #expect(calendar.addWorkingDays(3, to: d("2025-01-25")) == d("2025-02-05"))
    }

    @Test("National Day 2023: 29 Sep – 6 Oct off, Saturday 7 and Sunday 8 Oct work")
    func nationalDay2023() {
        for dayNumber in d("2023-09-29").dayNumber...d("2023-10-06").dayNumber {
            #expect(!calendar.isWorkingDay(dayNumber: dayNumber), "\(LocalDate(dayNumber: dayNumber))")
        }
        #expect(calendar.name(of: d("2023-09-29")) == "中秋节")
        #expect(calendar.name(of: d("2023-10-03")) == "国庆节")
        #expect(calendar.isWorkingDay(d("2023-10-07")))
        #expect(calendar.isWorkingDay(d("2023-10-08")))
        #expect(calendar.isWorkingDay(d("2023-09-28")))
        #expect(calendar.nextWorkingDay(after: d("2023-09-28")) == d("2023-10-07"))
        #expect(calendar.workingDaysBetween(d("2023-09-28"), d("2023-10-09")) == 3)
    }

    @Test("2020: Spring Festival extended to 2 February")
    func extendedSpringFestival2020() {
        #expect(calendar.isWorkingDay(d("2020-01-19")))  // make-up Sunday
        #expect(!calendar.isWorkingDay(d("2020-01-24")))
        #expect(!calendar.isWorkingDay(d("2020-01-31")))  // the extension: a Friday
        #expect(calendar.name(of: d("2020-02-02")) == "春节")
        #expect(calendar.isWorkingDay(d("2020-02-03")))
        #expect(calendar.nextWorkingDay(after: d("2020-01-23")) == d("2020-02-03"))
    }

    @Test("New Year 2024: 30 Dec – 1 Jan off; 30/31 Dec named although weekend")
    func newYear2024() {
        #expect(calendar.name(of: d("2023-12-30")) == "元旦")
        #expect(!calendar.isWorkingDay(d("2024-01-01")))
        #expect(calendar.nextWorkingDay(after: d("2023-12-29")) == d("2024-01-02"))
        #expect(calendar.previousWorkingDay(before: d("2024-01-02")) == d("2023-12-29"))
    }

    @Test("add working days", arguments: [
        // (start, n, expected)
        ("2024-03-04", 1, "2024-03-05"),  // plain Monday
        ("2024-03-04", 5, "2024-03-11"),
        ("2024-03-01", 1, "2024-03-04"),  // Friday → Monday
        ("2024-03-02", 1, "2024-03-04"),  // starts on a Saturday
        ("2024-03-03", 5, "2024-03-08"),  // starts on a Sunday
        ("2024-02-08", 1, "2024-02-09"),
        ("2024-02-09", 1, "2024-02-18"),  // over the Spring Festival onto a make-up Sunday
        ("2024-02-08", 5, "2024-02-21"),
        ("2024-02-12", 1, "2024-02-18"),  // starts inside the holiday
        ("2024-02-03", 1, "2024-02-04"),  // Saturday → make-up Sunday
        ("2023-09-28", 1, "2023-10-07"),
        ("2023-09-28", 3, "2023-10-09"),
        ("2023-12-28", 5, "2024-01-05"),  // across New Year
        ("2020-01-23", 1, "2020-02-03"),
        ("2024-02-09", 10, "2024-02-29"),  // leap day
        ("2024-03-04", 0, "2024-03-04"),
        ("2024-03-02", 0, "2024-03-02"),  // n == 0 returns the day itself, even off
        ("2024-02-18", -1, "2024-02-09"),  // back over the Spring Festival
        ("2024-03-04", -1, "2024-03-01"),
        ("2024-01-02", -1, "2023-12-29"),
        ("2026-12-31", 1, "2027-01-01"),  // after the data: Monday–Friday rule
        ("2026-12-30", 3, "2027-01-04"),
        ("2019-12-27", 1, "2019-12-30"),  // before the data
        ("2019-12-31", 1, "2020-01-02"),  // into the data, over 2020-01-01
        ("2020-01-02", -2, "2019-12-30"),  // out of the data backwards
    ])
    func addWorkingDays(start: String, n: Int, expected: String) {
        let result = calendar.addWorkingDays(n, to: d(start))
        #expect(result == d(expected), "\(start) + \(n) = \(result), expected \(expected)")
        if n >= 0 { #expect(calendar.workingDaysBetween(d(start), result) == n) }
    }

    @Test("working days between counts (from, to]", arguments: [
        ("2024-03-04", "2024-03-04", 0),
        ("2024-03-04", "2024-03-08", 4),
        ("2024-03-08", "2024-03-04", -4),
        ("2024-02-09", "2024-02-18", 1),
        ("2024-02-03", "2024-02-04", 1),
        ("2024-01-01", "2024-12-31", 251),
        ("2023-01-01", "2023-12-31", 249),
        ("2027-01-01", "2027-12-31", 260),  // outside the data: 261 weekdays, 1 Jan (a Friday) excluded
    ])
    func workingDaysBetween(from: String, to: String, expected: Int) {
        #expect(calendar.workingDaysBetween(d(from), d(to)) == expected)
    }

    @Test("O(1) arithmetic agrees with a day-by-day count, 2018–2028 (across both edges of the data)")
    func agreesWithNaive() {
        var generator = SystemRandomNumberGenerator()
        let low = d("2018-06-01").dayNumber
        let high = d("2028-06-01").dayNumber
        let naive = CalendarFixtures.Naive(calendar)
        for day in low...high {
            #expect(calendar.isWorkingDay(dayNumber: day) == naive.isWorking(day))
        }
        for _ in 0..<3000 {
            let day = Int.random(in: low...high, using: &generator)
            let n = Int.random(in: -40...40, using: &generator)
            let fast = calendar.addWorkingDays(n, toDayNumber: day)
            let slow = naive.add(n, day)
            #expect(fast == slow, "\(LocalDate(dayNumber: day)) + \(n)")
            let between = calendar.workingDaysBetween(LocalDate(dayNumber: day), LocalDate(dayNumber: fast))
            if n >= 0 {
                #expect(between == n)
            } else {  // (fast, day] holds the |n| − 1 working days in between, and `day` when it works
                #expect(between == n + (calendar.isWorkingDay(dayNumber: day) ? 0 : 1))
            }
        }
    }

    @Test("jurisdiction days off are added on top")
    func localOffDays() {
        let local = calendar.adding(offDays: [
            (date: d("2024-03-05"), name: "市庆"),  // a Tuesday
            (date: d("2024-02-18"), name: "地方休息日"),  // a make-up Sunday becomes off
            (date: d("2024-02-12"), name: "地方春节"),  // already a holiday: keeps 春节
            (date: d("2027-03-02"), name: "2027 地方假"),  // outside the data
        ])
        #expect(!local.isWorkingDay(d("2024-03-05")))
        #expect(local.name(of: d("2024-03-05")) == "市庆")
        #expect(local.addWorkingDays(1, to: d("2024-03-04")) == d("2024-03-06"))
        #expect(!local.isWorkingDay(d("2024-02-18")))
        #expect(local.name(of: d("2024-02-18")) == "地方休息日")
        #expect(local.nextWorkingDay(after: d("2024-02-09")) == d("2024-02-19"))
        #expect(local.name(of: d("2024-02-12")) == "春节")
        #expect(!local.isWorkingDay(d("2027-03-02")))
        #expect(local.addWorkingDays(1, to: d("2027-03-01")) == d("2027-03-03"))
        #expect(local.coveredYears == 2020...2026)
        #expect(local.localOffDays.count == 4)
        // The original is unchanged (value type).
        #expect(calendar.isWorkingDay(d("2024-03-05")))
        // Adding again replaces the name and keeps the others.
        let renamed = local.adding(offDay: d("2024-03-05"), name: "市庆日")
        #expect(renamed.name(of: d("2024-03-05")) == "市庆日")
        #expect(renamed.localOffDays.count == 4)
        // Still agrees with the naive count.
        let naive = CalendarFixtures.Naive(renamed)
        for day in d("2024-01-01").dayNumber...d("2027-12-31").dayNumber {
            #expect(renamed.addWorkingDays(3, toDayNumber: day) == naive.add(3, day))
        }
    }

    @Test("a calendar without data is Monday–Friday everywhere")
    func mondayToFriday() throws {
        let plain = WorkingCalendar.mondayToFriday
        #expect(plain.coveredYears == nil)
        #expect(plain.isWorkingDay(d("2024-02-12")))
        #expect(!plain.isWorkingDay(d("2024-02-18")))
        #expect(plain.addWorkingDays(5, to: d("2024-03-01")) == d("2024-03-08"))
        #expect(plain.addWorkingDays(-5, to: d("2024-03-04")) == d("2024-02-26"))
        #expect(plain.addWorkingDays(260, to: d("1969-12-26")) == d("1970-12-25"))
        #expect(plain.addWorkingDays(5, to: d("1969-12-26")) == d("1970-01-02"))
        #expect(try WorkingCalendar(entries: []).addWorkingDays(1, to: d("2024-03-01")) == d("2024-03-04"))
    }

    @Test("LocalDate: parsing, day numbers, weekdays")
    func localDate() throws {
        #expect(LocalDate(iso: "2024-02-29") != nil)
        #expect(LocalDate(iso: "2023-02-29") == nil)
        #expect(LocalDate(iso: "2024-13-01") == nil)
        #expect(LocalDate(iso: "2024-1-01") == nil)
        #expect(LocalDate(iso: "2024/01/01") == nil)
        #expect(LocalDate(iso: "") == nil)
        #expect(d("1970-01-01").dayNumber == 0)
        #expect(d("2000-03-01").dayNumber == 11_017)
        #expect(d("1969-12-31").dayNumber == -1)
        #expect(d("2024-02-10").weekday == 6)
        #expect(d("2024-02-18").weekday == 7)
        #expect(d("2024-03-04").weekday == 1)
        #expect(d("1900-01-01").weekday == 1)
        for day in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(LocalDate(dayNumber: day).dayNumber == day)
        }
        #expect(d("2024-02-28").adding(days: 2) == d("2024-03-01"))
        #expect(d("0999-01-01").description == "0999-01-01")
        #expect(d("2024-02-10") < d("2024-02-11"))
        let data = try JSONEncoder().encode([d("2024-02-10")])
        #expect(String(decoding: data, as: UTF8.self) == #"["2024-02-10"]"#)
        #expect(try JSONDecoder().decode([LocalDate].self, from: data) == [d("2024-02-10")])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([LocalDate].self, from: Data(#"["2024-02-30"]"#.utf8)) }
        // 2024-02-10 00:30 in Beijing is still 2024-02-09 in UTC.
        let instant = CalendarFixtures.instant("2024-02-10 00:30")
        #expect(LocalDate(instant, in: WorkingCalendar.defaultTimeZone) == d("2024-02-10"))
        #expect(LocalDate(instant, in: TimeZone(identifier: "UTC")!) == d("2024-02-09"))
    }
}
