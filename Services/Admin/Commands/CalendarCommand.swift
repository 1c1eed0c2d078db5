import ArgumentParser
import Foundation
import MinhuModels

/// `minhu calendar`: the working-day calendar.
///
/// `days` reads the built-in calendar (the State Council's days, `Shared/MinhuModels/Resources/calendar`) and needs
/// no database or broker.
// TODO(lead): `minhu calendar add-off DATE NAME` stores a jurisdiction's extra day off in the database (calendar
// reference table); it needs MinhuStorage, so it is added with the storage layer. Services then build their
// calendar as `WorkingCalendar.builtIn().adding(offDays: rowsFromTheDatabase)`.
struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Working-day calendar: holidays, make-up workdays (调休) and working days.",
        subcommands: [Days.self])

    /// `minhu calendar days --from 2024-02-01 --to 2024-02-20`.
    struct Days: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "days",
            abstract: "Print each date of a range as workday or off (with the holiday's name).",
            discussion: """
                One line per date: YYYY-MM-DD<TAB>workday, or YYYY-MM-DD<TAB>off, followed by <TAB>NAME when the \
                day off has a name (public holidays do; plain weekends do not). Uses the built-in calendar; dates \
                outside its years follow the Monday–Friday rule.
                """)

        @Option(name: .long, help: ArgumentHelp("First date, inclusive.", valueName: "YYYY-MM-DD"))
        var from: String

        @Option(name: .long, help: ArgumentHelp("Last date, inclusive.", valueName: "YYYY-MM-DD"))
        var to: String

        func validate() throws {
            let (first, last) = try dates()
            guard first <= last else {
                throw ValidationError("--from \(first) is after --to \(last)")
            }
        }

        func run() throws {
            let (first, last) = try dates()
            let calendar = try WorkingCalendar.builtIn()
            print(CalendarCommand.render(from: first, to: last, calendar: calendar), terminator: "")
        }

        private func dates() throws -> (LocalDate, LocalDate) {
            (try CalendarCommand.parseDate(from, option: "--from"), try CalendarCommand.parseDate(to, option: "--to"))
        }
    }

    /// Parses `YYYY-MM-DD` or throws a ``ValidationError`` naming the option.
    static func parseDate(_ text: String, option: String) throws -> LocalDate {
        guard let date = LocalDate(iso: text) else {
            throw ValidationError("\(option): '\(text)' is not a date; expected YYYY-MM-DD, e.g. 2024-02-10")
        }
        return date
    }

    /// The `days` output for `first...last`, one line per date.
    static func render(from first: LocalDate, to last: LocalDate, calendar: WorkingCalendar) -> String {
        var out = ""
        for dayNumber in first.dayNumber...last.dayNumber {
            let date = LocalDate(dayNumber: dayNumber)
            out += date.description
            if calendar.isWorkingDay(date) {
                out += "\tworkday\n"
            } else if let name = calendar.name(of: date) {
                out += "\toff\t\(name)\n"
            } else {
                out += "\toff\n"
            }
        }
        return out
    }
}
