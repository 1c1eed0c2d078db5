import Foundation
import MinhuModels
import MinhuStorage
import PostgresNIO
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "MINHU_TEST_DATABASE_URL is not set"))
struct StorageMigrationTests {
    @Test func appliesOnceThenIsANoOp() async throws {
        try await TestDatabase.withDatabase(migrated: false) { database in
            let migrator = try Migrator(database: database, logger: TestDatabase.logger)
            let latest = try Migration.bundledLatestVersion()
            #expect(try await migrator.currentVersion() == 0)

            let first = try await migrator.migrate()
            #expect(first.applied.map(\.version) == Array(1...latest))
            #expect(first.version == latest)
            #expect(first.referenceData.loaded["categories"] == 517)
            #expect(first.referenceData.loaded["departments"] == 31)
            #expect(first.referenceData.loaded["deadline_policies"] == 1)
            #expect((first.referenceData.loaded["calendar_days"] ?? 0) > 200)

            let second = try await migrator.migrate()
            #expect(second.applied.isEmpty)
            #expect(second.version == latest)
            #expect(second.referenceData.loaded.isEmpty)
            #expect(Set(second.referenceData.skipped) == ["categories", "departments", "calendar_days", "deadline_policies"])

            #expect(try await StorageFixtures.integer("SELECT count(*) FROM schema_migrations", on: database) == latest)
            #expect(try await migrator.status().allSatisfy { $0.state == .applied })
            try await migrator.requireSchema(atLeast: latest)
            await #expect(throws: MigrationError.schemaTooOld(required: latest + 1, found: latest)) {
                try await migrator.requireSchema(atLeast: latest + 1)
            }
        }
    }

    @Test func concurrentRunsApplyEachMigrationOnce() async throws {
        try await TestDatabase.withDatabase(migrated: false) { database in
            let reports = try await withThrowingTaskGroup(of: MigrationReport.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await Migrator(database: database, logger: TestDatabase.logger).migrate() }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let latest = try Migration.bundledLatestVersion()
            // Exactly one run applied everything (the advisory lock made the others wait, then find nothing).
            #expect(reports.map(\.applied.count).sorted() == [0, 0, latest])
            #expect(reports.allSatisfy { $0.version == latest })
            #expect(try await StorageFixtures.integer("SELECT count(*) FROM categories", on: database) == 517)
        }
    }

    @Test func databasesOfOneClusterMigrateConcurrently() async throws {
        // Roles are cluster-wide: four fresh databases creating them at once must all succeed.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await TestDatabase.withDatabase(migrated: true) { database in
                        try await Migrator(database: database, logger: TestDatabase.logger).currentVersion()
                    }
                }
            }
            let latest = try Migration.bundledLatestVersion()
            for try await version in group {
                #expect(version == latest)
            }
        }
    }

    @Test func aChangedMigrationIsRefused() async throws {
        try await TestDatabase.withDatabase { database in
            var migrations = try Migration.bundled()
            let original = migrations[1]
            migrations[1] = Migration(version: original.version, name: original.name, sql: original.sql + "\n-- edited\n")
            let migrator = try Migrator(database: database, migrations: migrations, referenceData: nil,
                                        logger: TestDatabase.logger)
            do {
                try await migrator.migrate()
                Issue.record("an edited migration was accepted")
            } catch let error as MigrationError {
                guard case .checksumMismatch(let version, _, let applied, let bundled) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(version == original.version)
                #expect(applied == original.checksum)
                #expect(bundled == migrations[1].checksum)
            }
            #expect(try await migrator.status().first { $0.version == original.version }?.state == .changed)
        }
    }

    @Test func aFailingMigrationRollsBackAndNamesTheStatement() async throws {
        try await TestDatabase.withDatabase { database in
            let latest = try Migration.bundledLatestVersion()
            let broken = Migration(version: latest + 1, name: "broken", sql: """
                CREATE TABLE broken_probe (id int);
                INSERT INTO no_such_table VALUES (1);
                """)
            let migrator = try Migrator(database: database, migrations: try Migration.bundled() + [broken],
                                        referenceData: nil, logger: TestDatabase.logger)
            do {
                try await migrator.migrate()
                Issue.record("a broken migration was accepted")
            } catch let MigrationError.failed(version, _, statement, reason) {
                #expect(version == latest + 1)
                #expect(statement == 2)
                #expect(reason.contains("42P01"), "\(reason)")
            }
            #expect(try await migrator.currentVersion() == latest)
            #expect(try await StorageFixtures.integer(
                "SELECT count(*) FROM pg_tables WHERE tablename = 'broken_probe'", on: database) == 0)
        }
    }

    @Test("a migration waiting for a table lock steps aside: queries are not queued behind it; it applies afterwards")
    func lockWaitStepsAside() async throws {
        try await TestDatabase.withDatabase { database in
            let latest = try Migration.bundledLatestVersion()
            let alter = Migration(version: latest + 1, name: "lock_probe",
                                  sql: "ALTER TABLE departments ADD COLUMN lock_probe int;")
            var migrator = try Migrator(database: database, migrations: try Migration.bundled() + [alter],
                                        referenceData: nil, logger: TestDatabase.logger)
            migrator.lockTimeout = .milliseconds(500)
            migrator.lockRetryPause = .milliseconds(500)
            let configured = migrator
            let waiting: PostgresQuery = """
                SELECT count(*) FROM pg_locks WHERE relation = 'departments'::regclass AND NOT granted
                """
            let (release, releaser) = AsyncStream.makeStream(of: Void.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                defer { releaser.finish() }
                // A live transaction holds the table (as a relay round or a long report would) until released.
                group.addTask {
                    try await database.withTransaction { connection in
                        try await connection.guardedQuery("LOCK TABLE departments IN ACCESS SHARE MODE",
                                                          logger: TestDatabase.logger)
                        for await _ in release {}
                    }
                }
                try await expectEventually { try await StorageFixtures.integer(
                    "SELECT count(*) FROM pg_locks WHERE relation = 'departments'::regclass AND granted",
                    on: database) > 0 }
                group.addTask { try await configured.migrate() }
                try await expectEventually { try await StorageFixtures.integer(waiting, on: database) > 0 }
                // Before, this read queued behind the migration's request until the live transaction ended.
                let answered = try await database.withTransaction { connection in
                    try await connection.guardedQuery("SET LOCAL statement_timeout = 4000", logger: TestDatabase.logger)
                    var count = -1
                    let rows = try await connection.guardedQuery("SELECT count(*)::int FROM departments",
                                                                 logger: TestDatabase.logger)
                    for try await n in rows.decode(Int.self) { count = n }
                    return count
                }
                #expect(answered >= 0)
                releaser.finish()
                try await group.waitForAll()
            }
            #expect(try await configured.currentVersion() == latest + 1)
        }
    }

    @Test func anOutOfOrderMigrationIsRefused() async throws {
        try await TestDatabase.withDatabase { database in
            let bundled = try Migration.bundled()
            let late = Migration(version: 1_000, name: "late", sql: "SELECT 1")
            let later = Migration(version: 2_000, name: "later", sql: "SELECT 2")
            try await Migrator(database: database, migrations: bundled + [later], referenceData: nil,
                               logger: TestDatabase.logger).migrate()
            let migrator = try Migrator(database: database, migrations: bundled + [late, later], referenceData: nil,
                                        logger: TestDatabase.logger)
            await #expect(throws: MigrationError.outOfOrder(version: 1_000, name: "late", latestApplied: 2_000)) {
                try await migrator.migrate()
            }
        }
    }

    @Test func referenceDataIsLoadedOnlyIntoEmptyTables() async throws {
        try await TestDatabase.withDatabase { database in
            // The shipped data is there …
            let housing = try await database.withConnection { connection in
                let rows = try await connection.guardedQuery("SELECT name FROM departments WHERE code = 'housing'",
                                                      logger: TestDatabase.logger)
                return try await rows.decode(String.self).collectAll()
            }
            #expect(housing == ["市住房和城乡建设局"])
            #expect(try await StorageFixtures.integer(
                "SELECT count(*) FROM categories WHERE level1 = '城乡建设' AND level3 IS NOT NULL", on: database) == 65)
            #expect(try await StorageFixtures.integer(
                "SELECT count(*) FROM calendar_days WHERE day = '2024-02-04' AND kind = 'workday' AND source = 'builtin'",
                on: database) == 1)
            let document = try await database.withConnection { connection in
                let rows = try await connection.guardedQuery(
                    "SELECT document::text FROM deadline_policies WHERE name = 'default'", logger: TestDatabase.logger)
                return try await rows.decode(String.self).collectAll().first ?? ""
            }
            _ = try DeadlinePolicySet(json: Data(document.utf8))

            // … and a jurisdiction's own data is never overwritten: empty one table, keep a row in another.
            try await database.withConnection { connection in
                try await connection.guardedQuery("DELETE FROM departments WHERE code NOT IN ('housing')", logger: TestDatabase.logger)
                try await connection.guardedQuery("DELETE FROM deadline_policies", logger: TestDatabase.logger)
            }
            let report = try await Migrator(database: database, logger: TestDatabase.logger).migrate()
            #expect(report.referenceData.loaded == ["deadline_policies": 1])
            #expect(try await StorageFixtures.integer("SELECT count(*) FROM departments", on: database) == 1)
        }
    }
}
