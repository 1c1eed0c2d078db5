import Foundation
@testable import MinhuModels

/// Helpers for the calendar and deadline tests, written independently of the code under test.
enum CalendarFixtures {
    /// The built-in calendar (2020…2026).
    static let builtIn: WorkingCalendar = {
        do { return try WorkingCalendar.builtIn() } catch { fatalError("built-in calendar: \(error)") }
    }()

    /// `"2024-02-10"` → LocalDate (crashes on a typo in a test).
    static func date(_ text: String) -> LocalDate {
        guard let date = LocalDate(iso: text) else { fatalError("bad test date \(text)") }
        return date
    }

    /// `"2024-02-10 14:30"` or `"2024-02-10 14:30:15"` in Beijing time (UTC+8, no DST) → Date, computed with plain
    /// arithmetic rather than the calendar's own conversion.
    static func instant(_ text: String, utcOffsetHours: Int = 8) -> Date {
        let parts = text.split(separator: " ")
        let day = date(String(parts[0]))
        let clock = parts[1].split(separator: ":").map { Int($0)! }
        let seconds = clock[0] * 3600 + clock[1] * 60 + (clock.count > 2 ? clock[2] : 0)
        return Date(timeIntervalSince1970: Double(day.dayNumber * 86_400 + seconds - utcOffsetHours * 3600))
    }

    /// A readable Beijing-time rendering for failure messages: `2024-02-10 14:30:00`.
    static func text(_ instant: Date) -> String {
        let local = Int(instant.timeIntervalSince1970.rounded(.down)) + 8 * 3600
        let day = LocalDate(dayNumber: Int((Double(local) / 86_400).rounded(.down)))
        let second = local - day.dayNumber * 86_400
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(day) \(pad(second / 3600)):\(pad(second % 3600 / 60)):\(pad(second % 60))"
    }

    /// Naive reference: Monday–Friday plus a calendar's listed entries, looked up day by day.
    struct Naive {
        let kinds: [LocalDate: CalendarEntry.Kind]

        init(_ calendar: WorkingCalendar) {
            var kinds: [LocalDate: CalendarEntry.Kind] = [:]
            for entry in calendar.entries { kinds[entry.date] = entry.kind }
            for entry in calendar.localOffDays { kinds[entry.date] = .holiday }
            self.kinds = kinds
        }

        func isWorking(_ day: Int) -> Bool {
            let date = LocalDate(dayNumber: day)
            if let kind = kinds[date] { return kind == .workday }
            return !date.isWeekend
        }

        /// addWorkingDays by stepping one day at a time.
        func add(_ n: Int, _ day: Int) -> Int {
            var current = day
            var remaining = abs(n)
            let step = n >= 0 ? 1 : -1
            while remaining > 0 {
                current += step
                if isWorking(current) { remaining -= 1 }
            }
            return current
        }
    }
}
