import ArgumentParser
import Foundation
import MinhuModels
import MinhuStorage
import MinhuText

/// `minhu calendar`: the working-day calendar.
///
/// `days` reads the built-in calendar (the State Council's days, `Shared/MinhuModels/Resources/calendar`) and needs
/// no database or broker.
/// `import-year` loads a year of the State Council's days (a `YYYY.csv` file of the built-in format) into
/// `calendar_days` (source `builtin`), for the years after the built-in ones (needs MINHU_DATABASE_URL);
/// `add-off` stores a jurisdiction's extra day off in `calendar_days` (source `local`; needs MINHU_DATABASE_URL);
/// the deadlines service builds its calendar as `WorkingCalendar.builtIn().adding(offDays: localRows)` at start.
struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Working-day calendar: holidays, make-up workdays (调休) and working days.",
        subcommands: [Days.self, AddOff.self, ImportYear.self])

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

    /// `minhu calendar import-year 2027.csv`.
    struct ImportYear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-year",
            abstract: "Load one year of the State Council's holidays and make-up workdays into the database.",
            discussion: """
                FILE is a YYYY.csv of the built-in format (date,kind,name; kind holiday or workday), e.g. the year \
                after the built-in calendar once the State Council has published it. Its rows replace that year's \
                State Council rows in calendar_days (source 'builtin'); a jurisdiction's own day off on one of its \
                dates gives way to the official day. Restart minhu-deadlines to count with it. Needs \
                MINHU_DATABASE_URL (a role that may write calendar_days).
                """)

        @Argument(help: ArgumentHelp("The year's file, named YYYY.csv.", valueName: "FILE")) var file: String

        func run() async throws {
            let url = URL(fileURLWithPath: file)
            let name = url.lastPathComponent
            guard name.count == 8, name.hasSuffix(".csv"), let year = Int(name.prefix(4)), (2000...2999).contains(year)
            else { throw ValidationError("\(file): the file must be named YYYY.csv after the year it holds") }
            let entries = try CalendarCSV.parse(try TextFileDecoder.decode(try DataFile.read(url), path: url.path).text,
                                                source: name, year: year)
            guard !entries.isEmpty else { throw CommandFailure("\(file) holds no day; nothing changed") }
            let logger = CommandSupport.logger("minhu-calendar")
            let configuration = try CommandSupport.databaseConfiguration()
            let replaced = try await CommandSupport.withDatabase(configuration, logger: logger) { database in
                try await database.withTransaction { connection -> [String] in
                    try await connection.guardedQuery("""
                        DELETE FROM calendar_days WHERE source = 'builtin'
                        AND day >= \("\(year)-01-01")::date AND day < \("\(year + 1)-01-01")::date
                        """, logger: logger)
                    let rows = try await connection.guardedQuery("""
                        INSERT INTO calendar_days (day, kind, name, source)
                        SELECT day::date, kind, name, 'builtin'
                        FROM unnest(\(entries.map { "\($0.date)" }), \(entries.map(\.kind.rawValue)),
                                    \(entries.map(\.name))) AS t(day, kind, name)
                        ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name,
                                                        source = 'builtin', updated_at = now()
                        RETURNING (xmax::text <> '0'), to_char(day, 'YYYY-MM-DD')
                        """, logger: logger)
                    var replaced: [String] = []
                    for try await (wasThere, day) in rows.decode((Bool, String).self) where wasThere {
                        replaced.append(day)
                    }
                    return replaced
                }
            }
            let holidays = entries.filter { $0.kind == .holiday }.count
            print("loaded \(year): \(holidays) holidays and \(entries.count - holidays) make-up workdays into calendar_days")
            if !replaced.isEmpty {
                print("replaced local days off on: \(replaced.joined(separator: ", "))")
            }
            print("restart minhu-deadlines to count with them")
        }
    }

    /// `minhu calendar add-off 2024-06-03 防汛停工日`.
    struct AddOff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-off",
            abstract: "Add a jurisdiction's own day off (stored in the database, source 'local').",
            discussion: """
                Inserts DATE as an off day named NAME into calendar_days (or renames it when it is a local day off \
                already). A State Council holiday or make-up working day on that date is refused. Restart \
                minhu-deadlines to count with it. Needs MINHU_DATABASE_URL (a role that may write calendar_days).
                """)

        @Argument(help: ArgumentHelp("The day.", valueName: "YYYY-MM-DD")) var date: String
        @Argument(help: "Its name, e.g. 防汛停工日.") var name: String

        func validate() throws {
            _ = try CalendarCommand.parseDate(date, option: "DATE")
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("NAME is empty") }
        }

        func run() async throws {
            let day = try CalendarCommand.parseDate(date, option: "DATE").description
            let name = self.name
            let logger = CommandSupport.logger("minhu-calendar")
            let configuration = try CommandSupport.databaseConfiguration()
            let stored = try await CommandSupport.withDatabase(configuration, logger: logger) { database in
                try await database.withConnection { connection in
                    let rows = try await connection.guardedQuery("""
                        INSERT INTO calendar_days (day, kind, name, source) VALUES (\(day)::date, 'off', \(name), 'local')
                        ON CONFLICT (day) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
                        WHERE calendar_days.source = 'local' AND calendar_days.kind = 'off'
                        RETURNING day
                        """, logger: logger)
                    let count = try await rows.collect().count
                    return count
                }
            }
            guard stored == 1 else {
                throw CommandFailure("\(day) is a State Council day in calendar_days already; not changed")
            }
            print("\(day)\toff\t\(name)")
        }
    }

    /// Parses `YYYY-MM-DD` or throws a ``ValidationError`` naming the option.
    static func parseDate(_ text: String, option: String) throws -> LocalDate {
        guard let date = LocalDate(iso: text), (1901...9999).contains(date.year) else {
            throw ValidationError("\(option): '\(text)' is not a date; expected YYYY-MM-DD (1901-9999), "
                                  + "e.g. 2024-02-10")
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
