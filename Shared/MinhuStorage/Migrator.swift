import Foundation
import Logging
import PostgresNIO

/// Applies the numbered SQL migrations and loads the shipped reference data; checks a database's schema version.
///
/// ``migrate()`` holds a session advisory lock (``advisoryLockKey``) for its whole run, so concurrent runs against
/// one database (two operators, several replicas starting at once) apply each migration once; the others wait, then
/// find nothing to do. Each migration runs in its own transaction together with its row in `schema_migrations
/// (version, name, checksum, applied_at)`. Whoever runs it owns the tables it creates: run it as the migration
/// role (a role with CREATEROLE, not a service role).
///
/// ```swift
/// let report = try await Migrator(database: database, logger: logger).migrate()   // `minhu migrate`
/// try await Migrator(database: database, logger: logger).requireSchema(atLeast: Migration.bundledLatestVersion())
/// ```
public struct Migrator: Sendable {
    /// The `pg_advisory_lock` key taken while migrating (ASCII "MINHUMIG"). Advisory locks are per database.
    public static let advisoryLockKey: Int64 = 0x4D49_4E48_554D_4947

    public let database: MinhuDatabase
    public let migrations: [Migration]
    /// Loads the shipped reference data into empty tables after migrating; nil skips it.
    public let referenceData: ReferenceDataLoader?
    let logger: Logger
    /// How long one statement of a migration may wait for a table lock (`SET LOCAL lock_timeout`). While a
    /// migration's lock request waits behind a live transaction, every later query on that table queues behind the
    /// request: the services run while `minhu migrate` does, so the wait is cut short (live queries wait at most
    /// this long), and the migration rolls back, lets the traffic through for `lockRetryPause` and tries again.
    public var lockTimeout: Duration = .seconds(1)
    /// The pause between two attempts of a migration that could not get its locks.
    public var lockRetryPause: Duration = .seconds(2)
    /// How many times a migration is tried while it cannot get its locks (300 × (1 s + 2 s) = 15 minutes at most at
    /// the defaults).
    public var lockAttempts = 300

    /// The migrations and reference data shipped with this module.
    public init(database: MinhuDatabase, logger: Logger) throws {
        try self.init(database: database, migrations: Migration.bundled(), referenceData: ReferenceDataLoader(),
                      logger: logger)
    }

    public init(database: MinhuDatabase, migrations: [Migration], referenceData: ReferenceDataLoader?,
                logger: Logger) throws {
        self.database = database
        self.migrations = try Migration.ordered(migrations)
        self.referenceData = referenceData
        self.logger = logger
    }

    /// Applies every pending migration in order, then loads reference data into the tables that are empty.
    /// Safe to run any number of times, concurrently too.
    /// - Throws: ``MigrationError`` (a changed checksum, an unknown or out-of-order migration, a failed statement).
    @discardableResult
    public func migrate() async throws -> MigrationReport {
        let key = Self.advisoryLockKey
        let logger = self.logger
        return try await database.withConnection { connection in
            try await connection.guardedQuery("SELECT pg_advisory_lock(\(key))", logger: logger)
            do {
                let report = try await migrateLocked(connection)
                try await connection.guardedQuery("SELECT pg_advisory_unlock(\(key))", logger: logger)
                return report
            } catch {
                _ = try? await connection.guardedQuery("SELECT pg_advisory_unlock(\(key))", logger: logger)
                throw error
            }
        }
    }

    /// The database's schema version: the highest applied migration, 0 for an empty database.
    public func currentVersion() async throws -> Int {
        let logger = self.logger
        return try await database.withConnection { connection in
            try await Self.currentVersion(on: connection, logger: logger)
        }
    }

    /// Throws ``MigrationError/schemaTooOld(required:found:)`` when the schema is older than `version`: a service
    /// calls it at start-up and refuses to run against an old schema.
    public func requireSchema(atLeast version: Int) async throws {
        let found = try await currentVersion()
        guard found >= version else { throw MigrationError.schemaTooOld(required: version, found: found) }
    }

    /// Every known migration and whether it is applied (and unchanged).
    public func status() async throws -> [MigrationStatus] {
        let logger = self.logger
        let migrations = self.migrations
        return try await database.withConnection { connection in
            let applied = try await Self.appliedMigrations(on: connection, logger: logger)
            var result = migrations.map { migration -> MigrationStatus in
                guard let row = applied[migration.version] else {
                    return MigrationStatus(version: migration.version, name: migration.name, state: .pending,
                                           appliedAt: nil)
                }
                return MigrationStatus(version: migration.version, name: migration.name,
                                       state: row.checksum == migration.checksum ? .applied : .changed,
                                       appliedAt: row.appliedAt)
            }
            let known = Set(migrations.map(\.version))
            for (version, row) in applied where !known.contains(version) {
                result.append(MigrationStatus(version: version, name: row.name, state: .unknown, appliedAt: row.appliedAt))
            }
            return result.sorted { $0.version < $1.version }
        }
    }

    // MARK: - Implementation

    private func migrateLocked(_ connection: PostgresConnection) async throws -> MigrationReport {
        try await connection.guardedQuery("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        let applied = try await Self.appliedMigrations(on: connection, logger: logger)
        let latestKnown = migrations.last?.version ?? 0
        let latestApplied = applied.keys.max() ?? 0

        // Validate everything before changing anything.
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, row) in applied.sorted(by: { $0.key < $1.key }) {
            if let migration = known[version] {
                guard migration.checksum == row.checksum else {
                    throw MigrationError.checksumMismatch(version: version, name: migration.name,
                                                          applied: row.checksum, bundled: migration.checksum)
                }
            } else if version <= latestKnown {
                throw MigrationError.unknownAppliedMigration(version: version, name: row.name)
            }
        }
        let pending = migrations.filter { applied[$0.version] == nil }
        if let late = pending.first(where: { $0.version < latestApplied }) {
            throw MigrationError.outOfOrder(version: late.version, name: late.name, latestApplied: latestApplied)
        }
        if latestApplied > latestKnown {
            logger.notice("database schema is newer than this build",
                          metadata: ["schema.version": "\(latestApplied)", "build.version": "\(latestKnown)"])
        }

        for migration in pending {
            try await apply(migration, on: connection)
        }

        var referenceReport = ReferenceDataReport()
        if let referenceData {
            referenceReport = try await referenceData.loadIntoEmptyTables(on: connection, logger: logger)
        }
        return MigrationReport(applied: pending.map { MigrationReport.Entry(version: $0.version, name: $0.name) },
                               version: max(latestApplied, pending.last?.version ?? 0),
                               referenceData: referenceReport)
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection) async throws {
        let statements = SQLScript.statements(in: migration.sql)
        logger.info("applying migration", metadata: [
            "migration.version": "\(migration.version)", "migration.name": "\(migration.name)",
            "migration.statements": "\(statements.count)",
        ])
        let timeoutMilliseconds = max(1, lockTimeout.wholeMilliseconds)
        var attempt = 1
        while true {
            var position = 0
            do {
                try await MinhuDatabase.withTransaction(on: connection, logger: logger) { connection in
                    // SET LOCAL, with the value bound.
                    try await connection.guardedQuery(
                        "SELECT set_config('lock_timeout', \(String(timeoutMilliseconds)), true)", logger: logger)
                    for (index, statement) in statements.enumerated() {
                        position = index + 1
                        try await connection.guardedQuery(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    position = statements.count + 1
                    try await connection.guardedQuery("""
                        INSERT INTO schema_migrations (version, name, checksum)
                        VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                        """, logger: logger)
                }
                return
            } catch let error where PostgresErrorDetails(error).sqlState == "55P03" && attempt < lockAttempts {
                logger.warning("migration waits for a table lock that live traffic holds; rolled back, trying again",
                               metadata: ["migration.version": "\(migration.version)",
                                          "migration.statement": "\(position)", "attempt": "\(attempt)",
                                          "error": "\(PostgresErrorDetails(error))"])
                attempt += 1
                try await Task.sleep(for: lockRetryPause)
            } catch {
                throw MigrationError.failed(version: migration.version, name: migration.name, statement: position,
                                            reason: "\(PostgresErrorDetails(error))")
            }
        }
    }

    struct AppliedRow {
        var name: String
        var checksum: String
        var appliedAt: Date
    }

    static func appliedMigrations(on connection: PostgresConnection, logger: Logger) async throws -> [Int: AppliedRow] {
        guard try await schemaMigrationsExists(on: connection, logger: logger) else { return [:] }
        var result: [Int: AppliedRow] = [:]
        let rows = try await connection.guardedQuery(
            "SELECT version, name, checksum, applied_at FROM schema_migrations", logger: logger)
        for try await (version, name, checksum, appliedAt) in rows.decode((Int, String, String, Date).self) {
            result[version] = AppliedRow(name: name, checksum: checksum, appliedAt: appliedAt)
        }
        return result
    }

    static func currentVersion(on connection: PostgresConnection, logger: Logger) async throws -> Int {
        guard try await schemaMigrationsExists(on: connection, logger: logger) else { return 0 }
        let rows = try await connection.guardedQuery("SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger)
        for try await version in rows.decode(Int.self) { return version }
        return 0
    }

    private static func schemaMigrationsExists(on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.guardedQuery("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }
}

/// What ``Migrator/migrate()`` did.
public struct MigrationReport: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var version: Int
        public var name: String
    }

    /// The migrations applied by this run, in order (empty when the schema was up to date).
    public var applied: [Entry]
    /// The schema version afterwards.
    public var version: Int
    public var referenceData: ReferenceDataReport
}

/// One migration's state in a database (see ``Migrator/status()``).
public struct MigrationStatus: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case applied
        case pending
        /// Applied, but its file has changed since.
        case changed
        /// Applied, but this build does not know it.
        case unknown
    }

    public var version: Int
    public var name: String
    public var state: State
    public var appliedAt: Date?
}
