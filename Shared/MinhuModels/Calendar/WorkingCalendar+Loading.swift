import Foundation

extension WorkingCalendar {
    /// The official calendar shipped with Minhu: every `YYYY.csv` in the module's `Resources/calendar` folder
    /// (2020…2026 today; adding a year is adding its file). Parsed once per process, then shared.
    /// - Throws: ``CalendarError`` when the bundled files are missing or invalid (a packaging mistake).
    public static func builtIn() throws -> WorkingCalendar {
        try builtInResult.get()
    }

    /// The folder holding the bundled `YYYY.csv` files.
    public static var builtInDirectory: URL? {
        let candidates = [Bundle.module.resourceURL, Bundle.module.bundleURL].compactMap { $0 }
        for base in candidates {
            let url = base.appendingPathComponent("Resources/calendar", isDirectory: true)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return url
            }
        }
        return nil
    }

    private static let builtInResult: Result<WorkingCalendar, CalendarError> = {
        guard let directory = builtInDirectory else {
            return .failure(CalendarError(reason: "the bundled calendar folder Resources/calendar is missing"))
        }
        do {
            return .success(try load(directory: directory))
        } catch let error as CalendarError {
            return .failure(error)
        } catch {
            return .failure(CalendarError(source: directory.path, reason: "\(error)"))
        }
    }()

    /// Loads every `YYYY.csv` file of `directory` (other files are ignored); each file's dates must fall in its
    /// year. ``coveredYears`` spans the first to the last file's year.
    /// - Throws: ``CalendarError`` naming the file and line of the first problem, or when there is no such file.
    public static func load(directory: URL) throws -> WorkingCalendar {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw CalendarError(source: directory.path, reason: "cannot list the folder: \(error.localizedDescription)")
        }
        var files: [(year: Int, url: URL)] = []
        for name in names where name.hasSuffix(".csv") {
            let stem = name.dropLast(4)
            guard stem.count == 4, stem.allSatisfy(\.isASCII), let year = Int(stem) else { continue }
            files.append((year, directory.appendingPathComponent(name)))
        }
        files.sort { $0.year < $1.year }
        guard let firstYear = files.first?.year, let lastYear = files.last?.year else {
            throw CalendarError(source: directory.path, reason: "no YYYY.csv calendar file in the folder")
        }
        var entries: [CalendarEntry] = []
        for file in files {
            let text: String
            do {
                text = try String(contentsOf: file.url, encoding: .utf8)
            } catch {
                throw CalendarError(source: file.url.lastPathComponent, reason: "cannot read as UTF-8: \(error)")
            }
            entries += try CalendarCSV.parse(text, source: file.url.lastPathComponent, year: file.year)
        }
        return try WorkingCalendar(entries: entries, years: firstYear...lastYear)
    }

    /// Loads calendar files given as (file name, contents) pairs, e.g. read from the database or an archive.
    /// A name of the form `YYYY.csv` restricts its dates to that year.
    public static func load(files: [(name: String, contents: String)]) throws -> WorkingCalendar {
        var entries: [CalendarEntry] = []
        var years: [Int] = []
        for file in files {
            let stem = file.name.hasSuffix(".csv") ? String(file.name.dropLast(4)) : file.name
            let year = stem.count == 4 ? Int(stem) : nil
            if let year { years.append(year) }
            entries += try CalendarCSV.parse(file.contents, source: file.name, year: year)
        }
        let covered = years.count == files.count ? years.min().flatMap { low in years.max().map { low...$0 } } : nil
        return try WorkingCalendar(entries: entries, years: covered)
    }
}
