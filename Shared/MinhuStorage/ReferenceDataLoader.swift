import Foundation
import Logging
import MinhuModels
import PostgresNIO

/// Loads the reference data Minhu ships into the reference tables that are still empty; run by
/// ``Migrator/migrate()`` after the migrations.
///
/// A table that already has rows is left alone, so loading is idempotent and never overwrites a jurisdiction's
/// own data. Shipped data:
/// - `categories`: the three-level appeal taxonomy, `Migrations/data/taxonomy.csv` (`level1,level2,level3`), ids
///   numbered in file order from 1;
/// - `departments`: the sample city A市's departments, `Migrations/data/departments.csv` (`code,name,parent`);
/// - `calendar_days`: the State Council's holidays and make-up working days bundled with MinhuModels
///   (`WorkingCalendar.builtInDirectory`, one `YYYY.csv` a year), as source `builtin`;
/// - `deadline_policies`: MinhuModels' built-in policy set (`DeadlinePolicySet.builtIn()`), as the row `default`.
/// `deputies` has no shipped data (the registry is the jurisdiction's).
public struct ReferenceDataLoader: Sendable {
    /// The folder with `taxonomy.csv` and `departments.csv`; nil for the bundled `Migrations/data`.
    public var dataDirectory: URL?
    /// The folder with the `YYYY.csv` calendar files; nil for MinhuModels' bundled calendar.
    public var calendarDirectory: URL?

    public init(dataDirectory: URL? = nil, calendarDirectory: URL? = nil) {
        self.dataDirectory = dataDirectory
        self.calendarDirectory = calendarDirectory
    }

    /// The shipped taxonomy file (`Migrations/data/taxonomy.csv`), e.g. to check rules that name categories.
    public static func bundledTaxonomyFile() throws -> URL {
        try Migration.bundledDirectory().appendingPathComponent("data/taxonomy.csv")
    }

    /// Loads every table that is empty, each in its own transaction on `connection`.
    public func loadIntoEmptyTables(on connection: PostgresConnection, logger: Logger) async throws
        -> ReferenceDataReport
    {
        var report = ReferenceDataReport()
        let directory = try dataDirectory ?? Migration.bundledDirectory().appendingPathComponent("data")

        try await load(table: "categories", on: connection, logger: logger, into: &report) { connection in
            let rows = try Self.readCSV(directory.appendingPathComponent("taxonomy.csv"),
                                        header: ["level1", "level2", "level3"])
            let ids = rows.indices.map { $0 + 1 }
            try await connection.guardedQuery("""
                INSERT INTO categories (id, level1, level2, level3)
                SELECT id, l1, NULLIF(l2, ''), NULLIF(l3, '')
                FROM unnest(\(ids), \(rows.map { $0[0] }), \(rows.map { $0[1] }), \(rows.map { $0[2] }))
                    AS t(id, l1, l2, l3)
                """, logger: logger)
            return rows.count
        }

        try await load(table: "departments", on: connection, logger: logger, into: &report) { connection in
            let rows = try Self.readCSV(directory.appendingPathComponent("departments.csv"),
                                        header: ["code", "name", "parent"])
            for row in rows where !Department.isValidCode(row[0]) {
                throw MigrationError.referenceData(file: "departments.csv", reason: "invalid department code '\(row[0])'")
            }
            try await connection.guardedQuery("""
                INSERT INTO departments (code, name, parent)
                SELECT code, name, NULLIF(parent, '')
                FROM unnest(\(rows.map { $0[0] }), \(rows.map { $0[1] }), \(rows.map { $0[2] })) AS t(code, name, parent)
                """, logger: logger)
            return rows.count
        }

        let calendarDirectory = self.calendarDirectory
        try await load(table: "calendar_days", on: connection, logger: logger, into: &report) { connection in
            guard let folder = calendarDirectory ?? WorkingCalendar.builtInDirectory else {
                throw MigrationError.referenceData(file: "calendar", reason: "MinhuModels' bundled calendar is missing")
            }
            let entries = try Self.readCalendar(folder)
            try await connection.guardedQuery("""
                INSERT INTO calendar_days (day, kind, name, source)
                SELECT day::date, kind, name, 'builtin'
                FROM unnest(\(entries.map { "\($0.date)" }), \(entries.map(\.kind.rawValue)), \(entries.map(\.name)))
                    AS t(day, kind, name)
                """, logger: logger)
            return entries.count
        }

        try await load(table: "deadline_policies", on: connection, logger: logger, into: &report) { connection in
            let document: String
            do {
                document = String(decoding: try DeadlinePolicySet.builtIn().jsonData(), as: UTF8.self)
            } catch {
                throw MigrationError.referenceData(file: "deadline-policies.json", reason: "\(error)")
            }
            try await connection.guardedQuery("""
                INSERT INTO deadline_policies (name, description, document)
                VALUES ('default', 'Minhu 内置默认时限规则', \(document)::jsonb)
                """, logger: logger)
            return 1
        }
        return report
    }

    private func load(
        table: String, on connection: PostgresConnection, logger: Logger, into report: inout ReferenceDataReport,
        _ insert: (PostgresConnection) async throws -> Int
    ) async throws {
        let count = try await MinhuDatabase.withTransaction(on: connection, logger: logger) { connection -> Int? in
            // check-queries: constant (`table` is one of this file's constant names, never input)
            let sql = PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(table))")
            let rows = try await connection.guardedQuery(sql, logger: logger)
            var hasRows = false
            for try await exists in rows.decode(Bool.self) { hasRows = exists }
            if hasRows { return nil }
            return try await insert(connection)
        }
        if let count {
            report.loaded[table] = count
            logger.info("reference data loaded", metadata: ["table": "\(table)", "rows": "\(count)"])
        } else {
            report.skipped.append(table)
        }
    }

    /// The rows of a small UTF-8 CSV file after its header (which must be `header`); fields may be quoted.
    static func readCSV(_ url: URL, header: [String]) throws -> [[String]] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw MigrationError.referenceData(file: url.lastPathComponent, reason: "missing")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw MigrationError.referenceData(file: url.lastPathComponent, reason: "not UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var records = CSV.parse(text).filter { !($0.count == 1 && $0[0].isEmpty) }
        guard let first = records.first,
              first.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) == header
        else {
            throw MigrationError.referenceData(file: url.lastPathComponent,
                                               reason: "expected the header \(header.joined(separator: ","))")
        }
        records.removeFirst()
        for (index, record) in records.enumerated() where record.count != header.count {
            throw MigrationError.referenceData(file: url.lastPathComponent,
                                               reason: "line \(index + 2): \(record.count) fields, expected \(header.count)")
        }
        return records.map { $0.map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    static func readCalendar(_ folder: URL) throws -> [CalendarEntry] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".csv") && $0.count == 8 && Int($0.prefix(4)) != nil }
            .sorted()
        var entries: [CalendarEntry] = []
        for name in names {
            let url = folder.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path),
                  let text = String(data: data, encoding: .utf8)
            else { throw MigrationError.referenceData(file: name, reason: "cannot be read as UTF-8") }
            do {
                entries += try CalendarCSV.parse(text, source: name, year: Int(name.prefix(4)))
            } catch {
                throw MigrationError.referenceData(file: name, reason: "\(error)")
            }
        }
        return entries
    }
}

/// What ``ReferenceDataLoader`` did.
public struct ReferenceDataReport: Sendable, Hashable, CustomStringConvertible {
    /// Rows loaded, by table.
    public var loaded: [String: Int] = [:]
    /// Tables left alone because they already had rows.
    public var skipped: [String] = []

    public init() {}

    /// E.g. `loaded categories 517, departments 31; kept calendar_days (not empty)`.
    public var description: String {
        var parts: [String] = []
        if !loaded.isEmpty {
            parts.append("loaded " + loaded.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: ", "))
        }
        if !skipped.isEmpty {
            parts.append("kept " + skipped.joined(separator: ", ") + " (not empty)")
        }
        return parts.isEmpty ? "nothing to load" : parts.joined(separator: "; ")
    }
}

/// A minimal RFC 4180 reader: fields separated by commas, optionally in double quotes (`""` for a quote).
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let scalar = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if scalar == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = next }
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty: inQuotes = true
            case ",": record.append(field); field = ""
            case "\r": continue
            case "\n": record.append(field); records.append(record); record = []; field = ""
            default: field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}
