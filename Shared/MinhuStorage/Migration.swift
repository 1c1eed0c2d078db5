import Foundation

/// One numbered SQL migration, e.g. `0002_outbox_inbox.sql` → version 2, name `outbox_inbox`.
///
/// File names are `NNNN_name.sql` (four or more digits, then `[a-z0-9_]+`). The checksum is the SHA-256 of the
/// file's bytes: once a migration is applied anywhere, its file must never change (add a new migration instead);
/// ``Migrator/migrate()`` refuses a database whose recorded checksum differs.
public struct Migration: Sendable, Hashable {
    public let version: Int
    public let name: String
    public let sql: String
    /// Hex SHA-256 of `sql`'s UTF-8 bytes.
    public let checksum: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hexDigest(of: sql)
    }

    /// `0002_outbox_inbox.sql` → (2, "outbox_inbox"); nil when the name does not follow the pattern.
    public static func parseFileName(_ fileName: String) -> (version: Int, name: String)? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        let name = stem[stem.index(after: underscore)...]
        guard digits.count >= 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let version = Int(digits),
              version > 0, !name.isEmpty,
              name.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" })
        else { return nil }
        return (version, String(name))
    }

    /// The migrations shipped in this module's `Migrations` folder, in version order.
    /// - Throws: ``MigrationError`` when the folder is missing or two files share a version.
    public static func bundled() throws -> [Migration] {
        try load(directory: try bundledDirectory())
    }

    /// The latest version shipped with this build: what a service built from it needs (see
    /// ``Migrator/requireSchema(atLeast:)``).
    public static func bundledLatestVersion() throws -> Int {
        try bundled().last?.version ?? 0
    }

    /// Every `NNNN_name.sql` file of `directory` (other files are ignored), in version order.
    public static func load(directory: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError.bundleMissing("cannot list \(directory.path): \(error.localizedDescription)")
        }
        var migrations: [Migration] = []
        for fileName in names.sorted() {
            guard let parsed = parseFileName(fileName) else { continue }
            let url = directory.appendingPathComponent(fileName)
            guard let data = FileManager.default.contents(atPath: url.path),
                  let sql = String(data: data, encoding: .utf8)
            else {
                throw MigrationError.invalidFile(fileName, reason: "cannot be read as UTF-8 text")
            }
            migrations.append(Migration(version: parsed.version, name: parsed.name, sql: sql))
        }
        return try ordered(migrations)
    }

    /// Sorts by version; two migrations with one version are an error.
    public static func ordered(_ migrations: [Migration]) throws -> [Migration] {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (earlier, later) in zip(sorted, sorted.dropFirst()) where earlier.version == later.version {
            throw MigrationError.duplicateVersion(later.version, earlier.name, later.name)
        }
        return sorted
    }

    /// This module's `Migrations` resource folder.
    static func bundledDirectory() throws -> URL {
        let candidates = [Bundle.module.resourceURL, Bundle.module.bundleURL].compactMap { $0 }
            .map { $0.appendingPathComponent("Migrations", isDirectory: true) }
        for url in candidates {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return url
            }
        }
        throw MigrationError.bundleMissing("the bundled Migrations folder of MinhuStorage is missing")
    }
}
