import Foundation

/// A jurisdiction's working-day calendar: "Monday to Friday is a working day", except the listed days
/// (public holidays off, make-up weekend days 调休上班 on), plus the jurisdiction's own extra days off on top.
///
/// - Coverage: the table spans the years of the data (``coveredYears``, e.g. 2020…2026 for the built-in calendar,
///   widened to the years of any jurisdiction day off). **Outside it, every date falls back to the plain
///   Monday–Friday rule**, so arithmetic never fails, but a deadline in a year whose State Council notice is not
///   loaded yet ignores that year's holidays: add the year's file (see `docs/deadlines.md`).
/// - Speed: working-day flags and a prefix count of working days are precomputed over the covered range, and the
///   working days are indexed, so ``addWorkingDays(_:to:)``, ``workingDaysBetween(_:_:)`` and the working-time
///   functions are O(1).
/// - Counting convention: ``addWorkingDays(_:to:)`` counts from the next working day, so
///   `addWorkingDays(1, to: d) == nextWorkingDay(after: d)` whether or not `d` itself is a working day, and
///   ``workingDaysBetween(_:_:)`` counts the working days in `(from, to]`, its inverse (for `n ≥ 0`).
public struct WorkingCalendar: Sendable, Equatable {
    /// The official entries (holidays and make-up workdays), sorted by date.
    public let entries: [CalendarEntry]
    /// The jurisdiction's own days off, sorted by date (kind `.holiday`).
    public let localOffDays: [CalendarEntry]
    /// The years the official data covers; nil for a calendar built without data (plain Monday–Friday).
    public let coveredYears: ClosedRange<Int>?

    private let table: Table

    /// Builds a calendar from official entries.
    /// - Parameters:
    ///   - entries: holidays and make-up workdays; a date may appear once, a workday must be a weekend day.
    ///   - years: the years these entries are complete for; by default the years the entries fall in.
    /// - Throws: ``CalendarError`` for a duplicate date or a weekday listed as a workday.
    public init(entries: [CalendarEntry], years: ClosedRange<Int>? = nil) throws {
        var seen = Set<LocalDate>()
        for entry in entries {
            guard seen.insert(entry.date).inserted else {
                throw CalendarError(reason: "\(entry.date) is listed twice")
            }
            if entry.kind == .workday, !entry.date.isWeekend {
                throw CalendarError(reason: "\(entry.date) is a \(CalendarCSV.weekdayName(entry.date.weekday)): "
                    + "only a Saturday or Sunday can be listed as a workday")
            }
        }
        let sorted = entries.sorted { $0.date < $1.date }
        let covered = years ?? sorted.first.map { $0.date.year...sorted.last!.date.year }
        self.init(entries: sorted, localOffDays: [], coveredYears: covered)
    }

    /// Parses one calendar file (see ``CalendarCSV``) and builds a calendar from it.
    public init(csv: String, source: String? = nil) throws {
        try self.init(entries: CalendarCSV.parse(csv, source: source))
    }

    /// A calendar with no exceptions: Monday to Friday, every year.
    public static let mondayToFriday = WorkingCalendar(entries: [], localOffDays: [], coveredYears: nil)

    private init(entries: [CalendarEntry], localOffDays: [CalendarEntry], coveredYears: ClosedRange<Int>?) {
        self.entries = entries
        self.localOffDays = localOffDays
        self.coveredYears = coveredYears
        self.table = Table(entries: entries, localOffDays: localOffDays, coveredYears: coveredYears)
    }

    /// This calendar with the jurisdiction's extra days off added on top (e.g. from `minhu calendar add-off`).
    ///
    /// A local day off wins over everything: a make-up workday listed as a local day off is off. The name shown for
    /// the day is the official holiday's when the day is one already, else the local name. Adding a day already
    /// added replaces its name. Dates outside ``coveredYears`` are honoured too.
    public func adding(offDays: [(date: LocalDate, name: String)]) -> WorkingCalendar {
        var byDate: [LocalDate: CalendarEntry] = [:]
        for entry in localOffDays { byDate[entry.date] = entry }
        for offDay in offDays { byDate[offDay.date] = CalendarEntry(date: offDay.date, kind: .holiday, name: offDay.name) }
        let local = byDate.values.sorted { $0.date < $1.date }
        return WorkingCalendar(entries: entries, localOffDays: local, coveredYears: coveredYears)
    }

    /// This calendar with one extra day off.
    public func adding(offDay date: LocalDate, name: String) -> WorkingCalendar {
        adding(offDays: [(date: date, name: name)])
    }

    /// Equal when built from the same entries, local days off and covered years.
    public static func == (lhs: WorkingCalendar, rhs: WorkingCalendar) -> Bool {
        lhs.entries == rhs.entries && lhs.localOffDays == rhs.localOffDays && lhs.coveredYears == rhs.coveredYears
    }

    // MARK: Days

    /// True when `date` falls in the years the official data covers.
    public func covers(_ date: LocalDate) -> Bool { coveredYears?.contains(date.year) ?? false }

    /// True for a working day.
    public func isWorkingDay(_ date: LocalDate) -> Bool { table.isWorking(date.dayNumber) }

    /// True for a working day, by day number (days since 1970-01-01).
    public func isWorkingDay(dayNumber: Int) -> Bool { table.isWorking(dayNumber) }

    /// The name of an off day that has one (`春节`, a local day off's name); nil for working days and for plain
    /// weekends.
    public func name(of date: LocalDate) -> String? {
        guard !table.isWorking(date.dayNumber), let name = table.names[date.dayNumber], !name.isEmpty else {
            return nil
        }
        return name
    }

    /// The entry that makes `date` differ from the Monday–Friday rule (a local day off first), if any.
    public func entry(on date: LocalDate) -> CalendarEntry? {
        if let local = localOffDays.binarySearch(date) {
            if let official = entries.binarySearch(date), official.kind == .holiday { return official }
            return local
        }
        return entries.binarySearch(date)
    }

    /// The first working day strictly after `date`.
    public func nextWorkingDay(after date: LocalDate) -> LocalDate { addWorkingDays(1, to: date) }

    /// The last working day strictly before `date`.
    public func previousWorkingDay(before date: LocalDate) -> LocalDate { addWorkingDays(-1, to: date) }

    /// The `n`th working day after `date`, counting from the next working day (`date` itself never counts):
    /// `n == 1` is the next working day, `n == 0` returns `date` unchanged, and `n < 0` counts back (`-1` is the
    /// last working day before `date`). O(1).
    public func addWorkingDays(_ n: Int, to date: LocalDate) -> LocalDate {
        LocalDate(dayNumber: addWorkingDays(n, toDayNumber: date.dayNumber))
    }

    /// ``addWorkingDays(_:to:)`` on day numbers (days since 1970-01-01).
    public func addWorkingDays(_ n: Int, toDayNumber day: Int) -> Int {
        if n > 0 { return table.workingDay(index: table.workingDaysBefore(day + 1) + n - 1) }
        if n < 0 { return table.workingDay(index: table.workingDaysBefore(day) + n) }
        return day
    }

    /// The number of working days in `(from, to]`: after `from`, up to and including `to`; when `to < from`,
    /// minus the number in `(to, from]`. `workingDaysBetween(d, addWorkingDays(n, to: d)) == n` for every `n ≥ 0`,
    /// and for `n < 0` when `d` is a working day. O(1).
    public func workingDaysBetween(_ from: LocalDate, _ to: LocalDate) -> Int {
        table.workingDaysBefore(to.dayNumber + 1) - table.workingDaysBefore(from.dayNumber + 1)
    }

    // MARK: Internal access for working time

    /// Working days strictly before `dayNumber`, relative to a fixed origin (only differences mean anything).
    func workingDayCount(before dayNumber: Int) -> Int { table.workingDaysBefore(dayNumber) }

    /// The day number of the working day whose ``workingDayCount(before:)`` is `index`.
    func workingDay(index: Int) -> Int { table.workingDay(index: index) }
}

extension WorkingCalendar {
    /// The precomputed tables. Working days are numbered by a monotone count `W(d)` = working days before day `d`
    /// since a fixed Monday: the Monday–Friday count before the table, the table's prefix count inside it, and the
    /// Monday–Friday count again after it, joined so that `W` is continuous.
    struct Table: Sendable {
        /// Day number of the first day in the table.
        let first: Int
        /// Number of days in the table.
        let count: Int
        /// 1 for a working day, per day of the table.
        let working: [UInt8]
        /// `prefix[i]` = working days among the table's first `i` days (`count + 1` values).
        let prefix: [Int32]
        /// Offsets from `first` of the table's working days, in order.
        let workingOffsets: [Int32]
        /// `mondayToFridayBefore(first)` and `mondayToFridayBefore(first + count)`.
        let countAtFirst: Int
        let countAtEnd: Int
        /// Names of listed days (official and local), by day number.
        let names: [Int: String]

        init(entries: [CalendarEntry], localOffDays: [CalendarEntry], coveredYears: ClosedRange<Int>?) {
            var years = coveredYears
            for entry in entries + localOffDays {
                let y = entry.date.year
                years = years.map { min($0.lowerBound, y)...max($0.upperBound, y) } ?? y...y
            }
            guard let years else {
                self.first = 0
                self.count = 0
                self.working = []
                self.prefix = [0]
                self.workingOffsets = []
                self.countAtFirst = Table.mondayToFridayBefore(0)
                self.countAtEnd = countAtFirst
                self.names = [:]
                return
            }
            let first = LocalDate(year: years.lowerBound, month: 1, day: 1)!.dayNumber
            let end = LocalDate(year: years.upperBound, month: 12, day: 31)!.dayNumber + 1
            var working = [UInt8](repeating: 0, count: end - first)
            for offset in working.indices {
                working[offset] = LocalDate.weekday(ofDayNumber: first + offset) <= 5 ? 1 : 0
            }
            var names: [Int: String] = [:]
            for entry in entries {
                let day = entry.date.dayNumber
                working[day - first] = entry.kind == .workday ? 1 : 0
                names[day] = entry.name
            }
            for entry in localOffDays {
                let day = entry.date.dayNumber
                let officialHoliday = entries.binarySearch(entry.date)?.kind == .holiday
                working[day - first] = 0
                if !officialHoliday { names[day] = entry.name }
            }
            var prefix = [Int32](repeating: 0, count: working.count + 1)
            var offsets: [Int32] = []
            offsets.reserveCapacity(working.count)
            for (offset, flag) in working.enumerated() {
                prefix[offset + 1] = prefix[offset] + Int32(flag)
                if flag == 1 { offsets.append(Int32(offset)) }
            }
            self.first = first
            self.count = working.count
            self.working = working
            self.prefix = prefix
            self.workingOffsets = offsets
            self.countAtFirst = Table.mondayToFridayBefore(first)
            self.countAtEnd = Table.mondayToFridayBefore(end)
            self.names = names
        }

        @inline(__always)
        func isWorking(_ day: Int) -> Bool {
            let offset = day - first
            if offset >= 0, offset < count { return working[offset] != 0 }
            return LocalDate.weekday(ofDayNumber: day) <= 5
        }

        /// `W(day)`: working days before `day`.
        @inline(__always)
        func workingDaysBefore(_ day: Int) -> Int {
            let offset = day - first
            if offset <= 0 { return Table.mondayToFridayBefore(day) }
            if offset <= count { return countAtFirst + Int(prefix[offset]) }
            return countAtFirst + workingOffsets.count + Table.mondayToFridayBefore(day) - countAtEnd
        }

        /// The working day `d` with `W(d) == index`.
        @inline(__always)
        func workingDay(index: Int) -> Int {
            if index < countAtFirst { return Table.mondayToFridayDay(index: index) }
            let inTable = index - countAtFirst
            if inTable < workingOffsets.count { return first + Int(workingOffsets[inTable]) }
            return Table.mondayToFridayDay(index: inTable - workingOffsets.count + countAtEnd)
        }

        /// Mondays–Fridays before `day`, counted from Monday 1969-12-29 (day −3); negative before it.
        @inline(__always)
        static func mondayToFridayBefore(_ day: Int) -> Int {
            let x = day + 3
            let weeks = x >= 0 ? x / 7 : (x - 6) / 7
            return weeks * 5 + min(x - weeks * 7, 5)
        }

        /// The Monday–Friday day with `mondayToFridayBefore(day) == index`.
        @inline(__always)
        static func mondayToFridayDay(index: Int) -> Int {
            let weeks = index >= 0 ? index / 5 : (index - 4) / 5
            return -3 + weeks * 7 + (index - weeks * 5)
        }
    }
}

extension [CalendarEntry] {
    /// The entry for `date` in an array sorted by date.
    func binarySearch(_ date: LocalDate) -> CalendarEntry? {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid].date < date { low = mid + 1 } else { high = mid }
        }
        return low < count && self[low].date == date ? self[low] : nil
    }
}
