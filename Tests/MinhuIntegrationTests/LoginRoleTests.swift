import Foundation
import Logging
import MinhuStorage
import PostgresNIO
import Testing

/// `LoginRole` and `minhu roles login` on the real PostgreSQL: a login user in one service's role, its password
/// stored as the SCRAM verifier sent (the test server asks every role but `postgres` for its password, by
/// SCRAM-SHA-256: scripts/postgres-instance), refusals that leave roles unchanged, and the verifier checked
/// against the server's own.
@Suite(.enabled(if: TestDatabase.isConfigured, "MINHU_TEST_DATABASE_URL is not set"))
struct LoginRoleTests {
    let logger = TestDatabase.logger

    /// A fresh role name (roles are cluster-wide; tests run in parallel).
    static func freshName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
    }

    /// Runs `sql` (a `format(…)` of bound values, as `LoginRole` does) on `database`.
    static func run(formatted sql: PostgresQuery, on database: MinhuDatabase) async throws {
        let text = try await StorageFixtures.text(sql, on: database)
        _ = try await database.withConnection { connection in
            try await connection.guardedQuery(PostgresQuery(unsafeSQL: text), logger: TestDatabase.logger)
        }
    }

    /// Drops role `name`, with what it owns or was granted in this database first.
    static func drop(_ name: String, on database: MinhuDatabase) async {
        try? await run(formatted: "SELECT format('DROP OWNED BY %I', \(name))", on: database)
        try? await run(formatted: "SELECT format('DROP ROLE IF EXISTS %I', \(name))", on: database)
    }

    /// Whether the server lets `configuration`'s user log in with its password (one connection, no pool).
    static func logsIn(_ configuration: DatabaseConfiguration) async -> Bool {
        await DatabaseProbe.check(configuration, logger: TestDatabase.logger) == .reachable
    }

    /// Runs `body` with fresh role names (one per prefix), dropping those roles afterwards, whatever happens.
    static func withRoles<T: Sendable>(_ prefixes: [String], on database: MinhuDatabase,
                                       _ body: ([String]) async throws -> T) async throws -> T {
        let names = prefixes.map(freshName)
        do {
            let result = try await body(names)
            for name in names { await drop(name, on: database) }
            return result
        } catch {
            for name in names { await drop(name, on: database) }
            throw error
        }
    }

    static func storedVerifier(_ name: String, on database: MinhuDatabase) async throws -> String {
        try await StorageFixtures.text("SELECT coalesce(rolpassword, '') FROM pg_authid WHERE rolname = \(name)",
                                       on: database)
    }

    @Test("ScramVerifier recomputes, from the salt, the verifier PostgreSQL stored for the same password")
    func verifierMatchesPostgres() async throws {
        try await TestDatabase.withDatabase(migrated: false) { database in
            try await Self.withRoles(["scram_check"], on: database) { names in
                let name = names[0]
                let password = "Server-side-hash-42!"
                _ = try await database.withConnection { connection in
                    try await connection.guardedQuery("SET password_encryption = 'scram-sha-256'", logger: logger)
                    let rows = try await connection.guardedQuery(
                        "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', \(name), \(password))", logger: logger)
                    var text = ""
                    for try await statement in rows.decode(String.self) { text = statement }
                    return try await connection.guardedQuery(PostgresQuery(unsafeSQL: text), logger: logger)
                }
                let stored = try await Self.storedVerifier(name, on: database)
                let parameters = try #require(ScramVerifier.parameters(of: stored), "\(stored.prefix(14))")
                #expect(ScramVerifier.make(password: password, salt: parameters.salt,
                                           iterations: parameters.iterations) == stored)
                #expect(ScramVerifier.make(password: "another-password", salt: parameters.salt,
                                           iterations: parameters.iterations) != stored)
                // A malformed verifier is refused before any statement (the server would hash it as a password).
                let broken = stored.components(separatedBy: "$").dropLast().joined(separator: "$") + "$a:b"
                #expect(ScramVerifier.parameters(of: broken) == nil)
            }
        }
    }

    @Test("a login user in the dispatcher's role: created, then its password changed; it logs in with that role")
    func createThenUpdate() async throws {
        try await TestDatabase.withConfiguration { configuration in
            try await TestDatabase.withRunningDatabase(configuration) { database in
                let name = Self.freshName("dispatcher_app")
                let first = ScramVerifier.make(password: "first-password-1")
                let second = ScramVerifier.make(password: "second-password-2")
                do {
                    let created = try await database.withConnection { connection in
                        try await LoginRole.apply(name: name, service: .dispatcher, verifier: first, on: connection,
                                                  logger: logger)
                    }
                    #expect(created == .created)
                    #expect(try await Self.storedVerifier(name, on: database) == first)
                    let flags = try await StorageFixtures.text("""
                        SELECT concat_ws(',', rolcanlogin, rolinherit, rolsuper, rolcreaterole,
                                         pg_has_role(rolname, 'minhu_dispatcher', 'MEMBER'),
                                         pg_has_role(rolname, 'minhu_intake', 'MEMBER'))
                        FROM pg_roles WHERE rolname = \(name)
                        """, on: database)
                    // Login, inherit, not superuser, no CREATEROLE, in minhu_dispatcher, not in minhu_intake.
                    #expect(flags == "t,t,f,f,t,f")
                    let updated = try await database.withConnection { connection in
                        try await LoginRole.apply(name: name, service: .dispatcher, verifier: second, on: connection,
                                                  logger: logger)
                    }
                    #expect(updated == .updated)
                    #expect(try await Self.storedVerifier(name, on: database) == second)

                    // Only the second password logs in.
                    var asUser = configuration
                    asUser.username = name
                    asUser.password = "first-password-1"
                    #expect(await !Self.logsIn(asUser))
                    asUser.password = nil
                    #expect(await !Self.logsIn(asUser))
                    asUser.password = "second-password-2"
                    #expect(await Self.logsIn(asUser))
                    // Logged in as that user: the dispatcher's privileges (reads reference data), nothing more.
                    try await TestDatabase.withRunningDatabase(asUser) { login async throws in
                        #expect(try await StorageFixtures.integer("SELECT count(*) FROM schema_migrations",
                                                                  on: login) > 0)
                        await #expect(throws: (any Error).self) {
                            try await login.withConnection { connection in
                                try await connection.guardedQuery(
                                    "INSERT INTO calendar_days (day, kind, name) VALUES ('2031-05-06', 'off', 'x')",
                                    logger: TestDatabase.logger)
                            }
                        }
                    }
                } catch {
                    await Self.drop(name, on: database)
                    throw error
                }
                await Self.drop(name, on: database)
            }
        }
    }

    @Test("roles that could do more than a service's work are refused and left unchanged")
    func refusals() async throws {
        for bad in ["", "1abc", "Upper", "has-dash", "pg_login", "minhu_intake", "minhu_service", "minhu_archive",
                    String(repeating: "a", count: 64)] {
            #expect(LoginRole.refusal(ofName: bad) != nil, "\(bad)")
        }
        #expect(LoginRole.refusal(ofName: "intake_app") == nil)
        try await TestDatabase.withDatabase { database in
            let runner = try TestDatabase.serverConfiguration().username
            let prefixes = ["powerful", "intake_app", "owner", "group", "group_member", "granter", "reader"]
            try await Self.withRoles(prefixes, on: database) { names in
                let (powerful, intakeLogin, owner, group, member, granter, reader) =
                    (names[0], names[1], names[2], names[3], names[4], names[5], names[6])
                let verifier = ScramVerifier.make(password: "some-password-3")
                let setUp: [PostgresQuery] = [
                    "SELECT format('CREATE ROLE %I LOGIN CREATEDB', \(powerful))",
                    "SELECT format('CREATE ROLE %I LOGIN IN ROLE minhu_intake', \(intakeLogin))",
                    "SELECT format('CREATE ROLE %I LOGIN', \(owner))",
                    "SELECT format('CREATE TABLE %I (id int)', \(owner + "_table"))",
                    "SELECT format('ALTER TABLE %I OWNER TO %I', \(owner + "_table"), \(owner))",
                    "SELECT format('CREATE ROLE %I NOLOGIN', \(group))",
                    "SELECT format('CREATE ROLE %I LOGIN IN ROLE %I', \(member), \(group))",
                    "SELECT format('CREATE ROLE %I LOGIN', \(granter))",
                    "SELECT format('GRANT minhu_dispatcher TO %I WITH ADMIN OPTION', \(granter))",
                    "SELECT format('CREATE ROLE %I LOGIN', \(reader))",
                    "SELECT format('GRANT SELECT ON citizen_contacts TO %I', \(reader))",
                ]
                for statement in setUp { try await Self.run(formatted: statement, on: database) }
                let cases = [(powerful, "CREATEDB"), (intakeLogin, "member of minhu_intake"),
                             (owner, "owns objects"), (group, "has members (\(member))"),
                             (granter, "may grant minhu_dispatcher"), (reader, "holds privileges of its own"),
                             (runner, "the role running this command")]
                for (name, reason) in cases {
                    do {
                        _ = try await database.withConnection { connection in
                            try await LoginRole.apply(name: name, service: .dispatcher, verifier: verifier,
                                                      on: connection, logger: logger)
                        }
                        Issue.record("\(name) was accepted")
                    } catch let refusal as LoginRole.Refusal {
                        #expect(refusal.description.contains(reason), "\(refusal)")
                    }
                    #expect(try await Self.storedVerifier(name, on: database) != verifier)
                }
                let dispatcherMembers = try await StorageFixtures.integer("""
                    SELECT count(*) FROM pg_roles WHERE rolname IN (\(powerful), \(intakeLogin), \(owner), \(group))
                      AND pg_has_role(rolname, 'minhu_dispatcher', 'MEMBER')
                    """, on: database)
                #expect(dispatcherMembers == 0)
            }
        }
    }

    @Test("minhu roles login: creates the user from a password file; a bad file changes nothing")
    func command() async throws {
        try await TestDatabase.withConfiguration { configuration in
            let name = Self.freshName("evaluation_app")
            let folder = NSTemporaryDirectory() + "minhu-roles-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try Data("evaluation-password-9\n".utf8).write(to: URL(fileURLWithPath: folder + "/good"))
            try Data("short\n".utf8).write(to: URL(fileURLWithPath: folder + "/bad"))
            let environment = ["PATH": "/usr/bin:/bin", "MINHU_DATABASE_URL": configuration.testURL]
            @Sendable func minhu(_ file: String) async throws -> (Int32?, String) {
                try await ChildProcess.with("minhu", arguments: ["roles", "login", "--service", "evaluation",
                                                                 "--user", name, "--password-file", folder + file],
                                            environment: environment) {
                    (await $0.waitForExit(timeout: .seconds(60)), $0.log)
                }
            }
            try await TestDatabase.withRunningDatabase(configuration) { database in
                do {
                    try await checkCommand(name: name, configuration: configuration, database: database, minhu)
                } catch {
                    await Self.drop(name, on: database)
                    throw error
                }
                await Self.drop(name, on: database)
            }
        }
    }

    private func checkCommand(name: String, configuration: DatabaseConfiguration, database: MinhuDatabase,
                              _ minhu: (String) async throws -> (Int32?, String)) async throws {
        let (badStatus, badOutput) = try await minhu("/bad")
        #expect(badStatus == 1)
        #expect(badOutput.contains("shorter than 12"), "\(badOutput)")
        #expect(try await StorageFixtures.integer("SELECT count(*) FROM pg_roles WHERE rolname = \(name)",
                                                  on: database) == 0)
        let (status, output) = try await minhu("/good")
        #expect(status == 0, "\(output)")
        #expect(output.contains("created login user \(name) in role minhu_evaluation"))
        #expect(!output.contains("evaluation-password-9"))
        let stored = try await Self.storedVerifier(name, on: database)
        let parameters = try #require(ScramVerifier.parameters(of: stored))
        #expect(ScramVerifier.make(password: "evaluation-password-9", salt: parameters.salt,
                                   iterations: parameters.iterations) == stored)
        var asUser = configuration
        asUser.username = name
        asUser.password = "evaluation-password-9"
        #expect(await Self.logsIn(asUser))
    }
}
