import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// The registry of people's-congress deputies (人大代表) in `deputies` (migrations 0003 and 0006): the CSV import
/// behind `minhu deputies import`, the listing, and the lookup intake uses to recognise a deputy's call.
///
/// A deputy is identified across imports by (name, level, constituency): a re-import updates the row
/// (`deputies_identity_idx`), never duplicates it. Phones are stored normalised (`Citizen.normalizePhone`), so a
/// lookup is one exact match on the GIN index.
///
/// ```swift
/// let parsed = try DeputyRegistry.parse(csv: text)          // rows + rejections, no database
/// let report = try await DeputyRegistry.importRows(parsed.rows, database: database, logger: logger)
/// let deputy = try await DeputyRegistry.lookup(phone: "+86 138-0013-8000", on: connection, logger: logger)
/// ```
public enum DeputyRegistry {
    /// A valid row of the file, ready to import.
    public struct Row: Sendable, Hashable {
        /// The file's line the row starts on (the header is line 1).
        public var line: Int
        public var name: String
        /// Normalised phones, without duplicates, in the file's order.
        public var phones: [String]
        public var level: DeputyLevel
        /// Nil when the file leaves it empty.
        public var constituency: String?
        public var active: Bool

        public init(line: Int, name: String, phones: [String], level: DeputyLevel, constituency: String? = nil,
                    active: Bool = true) {
            self.line = line
            self.name = name
            self.phones = phones
            self.level = level
            self.constituency = constituency
            self.active = active
        }
    }

    /// A rejected row or a warning about one: the line and why. Phones in reasons are masked.
    public struct Issue: Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }

        public var description: String { "line \(line): \(reason)" }
    }

    /// What `parse(csv:)` found.
    public struct Parsed: Sendable, Hashable {
        public var rows: [Row] = []
        /// Rows left out, with their reasons.
        public var rejections: [Issue] = []
        /// Rows imported all the same, e.g. with one unreadable phone among valid ones (that phone is dropped).
        public var warnings: [Issue] = []

        public init() {}
    }

    /// What `importRows` did.
    public struct ImportReport: Sendable, Hashable, CustomStringConvertible {
        public var inserted = 0
        public var updated = 0
        /// Rows refused by the database check: a phone already registered to another deputy.
        public var rejections: [Issue] = []

        public init() {}

        public var description: String {
            "inserted \(inserted), updated \(updated), rejected \(rejections.count)"
        }
    }

    /// The file cannot be read as a deputies file at all (no rows are imported).
    public struct FileError: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The required columns; `constituency` and `active` may be omitted.
    public static let requiredColumns = ["name", "phones", "level"]
    /// Every column the file may have.
    public static let knownColumns = ["name", "phones", "level", "constituency", "active"]

    // MARK: Parsing (pure)

    /// Parses a deputies CSV (`name,phones,level,constituency[,active]`, UTF-8, optional BOM, fields may be quoted).
    ///
    /// Rows are rejected, with their line, for: an empty name, a control character in the name or constituency,
    /// an unknown level (English code or Chinese name),
    /// no valid phone, a bad `active` value, a phone an earlier row of the file already has, or the same deputy
    /// (name, level, constituency) twice. Blank lines are skipped.
    ///
    /// - Throws: `FileError` when the header lacks a required column or names an unknown one, or a quoted field is
    ///   never closed.
    public static func parse(csv text: String) throws -> Parsed {
        var records = try DeputyRegistryCSV.parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        records.removeAll { $0.fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        guard let header = records.first else { throw FileError("the file is empty (expected a header line)") }
        records.removeFirst()
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if let unknown = columns.first(where: { !knownColumns.contains($0) }) {
            throw FileError("unknown column '\(unknown)' in the header; columns: \(knownColumns.joined(separator: ","))")
        }
        for required in requiredColumns where !columns.contains(required) {
            throw FileError("the header lacks the column '\(required)'; expected name,phones,level,constituency")
        }
        func index(_ name: String) -> Int? { columns.firstIndex(of: name) }

        var parsed = Parsed()
        var phoneOwners: [String: (line: Int, name: String)] = [:]
        var identities: [String: Int] = [:]
        for record in records {
            let line = record.line
            func field(_ name: String) -> String {
                guard let position = index(name), position < record.fields.count else { return "" }
                return record.fields[position].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            func reject(_ reason: String) { parsed.rejections.append(Issue(line: line, reason: reason)) }
            if record.fields.count > columns.count {
                reject("\(record.fields.count) fields, the header has \(columns.count)")
                continue
            }
            let name = field("name")
            guard !name.isEmpty else { reject("empty name"); continue }
            let controlled = ["name", "constituency"].first { field($0).unicodeScalars.contains(where: isControl) }
            if let column = controlled {
                reject("\(column) holds a control character (a line break, NUL …)")
                continue
            }
            let levelText = field("level")
            guard let level = parseLevel(levelText) else {
                reject(levelText.isEmpty ? "empty level"
                       : "unknown level '\(levelText)' (national|provincial|city|county|township or 全国/省/市/县/乡镇)")
                continue
            }
            let activeText = field("active")
            guard let active = parseActive(activeText) else {
                reject("bad active value '\(activeText)' (true/false, yes/no, 1/0, 是/否)")
                continue
            }
            var phones: [String] = []
            var unreadable: [String] = []
            for piece in splitPhones(field("phones")) {
                if let phone = Citizen.normalizePhone(piece) {
                    if !phones.contains(phone) { phones.append(phone) }
                } else {
                    unreadable.append(Citizen.maskPhone(piece))
                }
            }
            guard !phones.isEmpty else {
                reject(unreadable.isEmpty ? "no phone" : "no valid phone (\(unreadable.joined(separator: ", ")))")
                continue
            }
            if let taken = phones.first(where: { phoneOwners[$0] != nil }), let owner = phoneOwners[taken] {
                reject("phone \(Citizen.maskPhone(taken)) already belongs to \(owner.name) on line \(owner.line)")
                continue
            }
            let constituency = field("constituency")
            let identity = [name, level.rawValue, constituency].joined(separator: "\u{1F}")
            if let earlier = identities[identity] {
                reject("the same deputy (name, level, constituency) is already on line \(earlier)")
                continue
            }
            identities[identity] = line
            for phone in phones { phoneOwners[phone] = (line, name) }
            if !unreadable.isEmpty {
                parsed.warnings.append(Issue(line: line, reason: "ignored unreadable phone(s) "
                                             + unreadable.joined(separator: ", ")))
            }
            parsed.rows.append(Row(line: line, name: name, phones: phones, level: level,
                                   constituency: constituency.isEmpty ? nil : constituency, active: active))
        }
        return parsed
    }

    /// The English code (any case), the Chinese level name (全国, 省级, 市级…), the short form (省, 市, 县, 区, 乡镇,
    /// 乡, 镇) or the deputy title (市人大代表…).
    public static func parseLevel(_ text: String) -> DeputyLevel? {
        let value = text.trimmingCharacters(in: .whitespaces)
        if let level = DeputyLevel(codeOrChineseName: value.lowercased()) ?? DeputyLevel(codeOrChineseName: value) {
            return level
        }
        // A deputy's title as people write it: 区人大代表, 镇人大代表, 全国人民代表大会代表, 省级 …
        var short = Substring(value)
        for suffix in ["人民代表大会代表", "人大代表", "代表"] where short.hasSuffix(suffix) {
            short = short.dropLast(suffix.count)
            break
        }
        if short.count > 1, short.hasSuffix("级") { short = short.dropLast() }
        switch short {
        case "国家", "全国": return .national
        case "省": return .provincial
        case "市": return .city
        case "县", "区", "县区", "县（区）", "县(区)": return .county
        case "乡镇", "乡", "镇", "街道", "乡（镇）", "乡(镇)": return .township
        default: return nil
        }
    }

    /// True for C0 and C1 control characters (NUL, line breaks, tabs …), which no name or constituency holds.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Empty means active; nil for a value that is not a yes or no.
    static func parseActive(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "", "true", "yes", "y", "1", "是", "在任": return true
        case "false", "no", "n", "0", "否", "离任": return false
        default: return nil
        }
    }

    /// Splits a phones field on `;` `；` `/` `、` `,` `，` and line breaks.
    static func splitPhones(_ text: String) -> [String] {
        let separators: Set<Character> = [";", "；", "/", "、", ",", "，", "\n", "|"]
        return text.split(whereSeparator: { separators.contains($0) })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    // MARK: Database

    /// Imports `rows` in one transaction: each row is inserted, or updates the deputy with the same (name, level,
    /// constituency). A row one of whose phones belongs to another deputy once the import is done is rejected, so
    /// that a phone never names two deputies (`rejectedRows`). The table is locked against other imports meanwhile.
    public static func importRows(_ rows: [Row], database: MinhuDatabase, logger: Logger) async throws -> ImportReport {
        try await database.withTransaction { connection -> ImportReport in
            var report = ImportReport()
            // (SHARE ROW EXCLUSIVE: readers go on; a second import waits until this one commits.)
            try await connection.guardedQuery("LOCK TABLE deputies IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            var registered: [RegisteredPhones] = []
            let current = try await connection.guardedQuery(
                "SELECT name, level, coalesce(constituency, ''), phones FROM deputies", logger: logger)
            for try await (name, level, constituency, phones)
                in current.decode((String, String, String, [String]).self) {
                registered.append(RegisteredPhones(identity: Identity(name: name, level: level,
                                                                      constituency: constituency), phones: phones))
            }
            let rejected = rejectedRows(rows, registered: registered)
            for (index, row) in rows.enumerated() {
                if let reason = rejected[index] {
                    report.rejections.append(Issue(line: row.line, reason: reason))
                    continue
                }
                let result = try await connection.guardedQuery("""
                    INSERT INTO deputies (id, name, phones, level, constituency, active, updated_at)
                    VALUES (\(UUID()), \(row.name), \(row.phones)::text[], \(row.level.rawValue), \(row.constituency),
                            \(row.active), now())
                    ON CONFLICT (name, level, (coalesce(constituency, ''))) DO UPDATE
                        SET phones = EXCLUDED.phones, active = EXCLUDED.active, updated_at = now()
                    RETURNING (xmax = 0) AS inserted
                    """, logger: logger)
                for try await inserted in result.decode(Bool.self) {
                    if inserted { report.inserted += 1 } else { report.updated += 1 }
                }
            }
            logger.info("deputies imported", metadata: ["inserted": "\(report.inserted)",
                                                         "updated": "\(report.updated)",
                                                         "rejected": "\(report.rejections.count)"])
            return report
        }
    }

    /// Who a deputy is: the key rows update by.
    struct Identity: Hashable {
        var name: String
        var level: String
        var constituency: String
    }

    /// A deputy in the database and its phones.
    struct RegisteredPhones {
        var identity: Identity
        var phones: [String]
    }

    /// The rows to reject (by index, with the reason): those with a phone that another deputy holds once the
    /// import is done. A deputy the file imports holds the file's phones, not its registered ones; any other keeps
    /// its own. Between rows of the file, the earlier one keeps the phone. A rejected row's deputy keeps its
    /// registered phones, which can reject another row in turn, so the check runs until nothing changes. So the
    /// order of the rows does not matter for phones that move from one deputy to another.
    static func rejectedRows(_ rows: [Row], registered: [RegisteredPhones]) -> [Int: String] {
        func identity(_ row: Row) -> Identity {
            Identity(name: row.name, level: row.level.rawValue, constituency: row.constituency ?? "")
        }
        var rejected: [Int: String] = [:]
        var changed = true
        while changed {
            changed = false
            let imported = Set(rows.indices.filter { rejected[$0] == nil }.map { identity(rows[$0]) })
            var holder: [String: Identity] = [:]
            for deputy in registered where !imported.contains(deputy.identity) {
                for phone in deputy.phones { holder[phone] = deputy.identity }
            }
            for (index, row) in rows.enumerated() where rejected[index] == nil {
                let own = identity(row)
                if let phone = row.phones.first(where: { holder[$0].map { $0 != own } ?? false }),
                   let other = holder[phone] {
                    rejected[index] = "phone \(Citizen.maskPhone(phone)) is already registered to \(other.name)"
                    changed = true
                    continue
                }
                for phone in row.phones { holder[phone] = own }
            }
        }
        return rejected
    }

    /// The active deputy one of whose phones is `phone` (any format `Citizen.normalizePhone` reads), or nil; the
    /// returned deputy's `phone` is that number, normalised. Runs on `connection` (e.g. inside the caller's
    /// transaction) and uses the GIN index on `phones`.
    public static func lookup(phone: String, on connection: PostgresConnection, logger: Logger) async throws -> Deputy? {
        guard let normalised = Citizen.normalizePhone(phone) else { return nil }
        let rows = try await connection.guardedQuery("""
            SELECT id, name, level, constituency FROM deputies
            WHERE phones @> ARRAY[\(normalised)]::text[] AND active
            ORDER BY updated_at DESC, id
            LIMIT 1
            """, logger: logger)
        for try await (id, name, level, constituency) in rows.decode((UUID, String, String, String?).self) {
            guard let level = DeputyLevel(rawValue: level) else {
                logger.warning("deputy with an unknown level ignored", metadata: ["deputy.id": "\(id)"])
                return nil
            }
            return Deputy(id: id, name: name, level: level, phone: normalised, constituency: constituency,
                          active: true)
        }
        return nil
    }

    /// A registered deputy with all their phones (for listings).
    public struct Listed: Sendable, Hashable {
        public var id: UUID
        public var name: String
        public var level: DeputyLevel
        public var constituency: String?
        public var phones: [String]
        public var active: Bool
        public var updatedAt: Date
    }

    /// Every registered deputy, by level (national first), constituency and name.
    public static func list(database: MinhuDatabase, logger: Logger) async throws -> [Listed] {
        try await database.withConnection { connection -> [Listed] in
            let rows = try await connection.guardedQuery("""
                SELECT id, name, level, constituency, phones, active, updated_at FROM deputies
                ORDER BY array_position(ARRAY['national', 'provincial', 'city', 'county', 'township'], level),
                         coalesce(constituency, ''), name
                """, logger: logger)
            var listed: [Listed] = []
            for try await (id, name, level, constituency, phones, active, updatedAt) in rows.decode(
                (UUID, String, String, String?, [String], Bool, Date).self) {
                guard let level = DeputyLevel(rawValue: level) else { continue }
                listed.append(Listed(id: id, name: name, level: level, constituency: constituency, phones: phones,
                                     active: active, updatedAt: updatedAt))
            }
            return listed
        }
    }
}

/// A minimal RFC 4180 reader that remembers the line each record starts on (fields separated by commas, optionally
/// in double quotes, `""` for a quote; a quoted field may span lines).
enum DeputyRegistryCSV {
    /// - Throws: `DeputyRegistry.FileError` when a quoted field is never closed (a file cut short, or a stray
    ///   quote that would swallow every row after it into one field).
    static func parse(_ text: String) throws -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var quotedField = false
        var quoteLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar?
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
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty && !quotedField: inQuotes = true; quotedField = true; quoteLine = line
            case ",": record.append(field); field = ""; quotedField = false
            case "\r": continue
            case "\n":
                record.append(field)
                records.append((recordLine, record))
                record = []; field = ""; quotedField = false
                line += 1
                recordLine = line
            default: field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes {
            throw DeputyRegistry.FileError("the quoted field opened on line \(quoteLine) is never closed "
                                           + "(a stray quote would swallow every row after it); nothing imported")
        }
        if !field.isEmpty || !record.isEmpty || quotedField {
            record.append(field)
            records.append((recordLine, record))
        }
        return records
    }
}
