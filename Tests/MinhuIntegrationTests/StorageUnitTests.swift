import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import MinhuStorage
import Testing

/// MinhuStorage's pure parts: no database needed.
@Suite struct StorageConfigurationTests {
    @Test func parsesAFullURL() throws {
        let configuration = try DatabaseConfiguration(url: "postgres://minhu:s%40cret@db.example:6543/minhu_prod?sslmode=require&application_name=minhu-intake")
        #expect(configuration.endpoint == .tcp(host: "db.example", port: 6543))
        #expect(configuration.username == "minhu")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == "minhu_prod")
        #expect(configuration.tls == .require)
        #expect(configuration.applicationName == "minhu-intake")
    }

    @Test func defaultsAndPostgresqlScheme() throws {
        let configuration = try DatabaseConfiguration(url: "postgresql://postgres@127.0.0.1/postgres")
        #expect(configuration.endpoint == .tcp(host: "127.0.0.1", port: 5432))
        #expect(configuration.password == nil)
        #expect(configuration.tls == .prefer)
        #expect(configuration.maximumConnections == 20)
    }

    @Test func unixSocketFolder() throws {
        let configuration = try DatabaseConfiguration(url: "postgres://postgres@/minhu?host=/tmp/pg/sock")
        #expect(configuration.endpoint == .unixSocket(path: "/tmp/pg/sock/.s.PGSQL.5432"))
    }

    @Test func redactsThePassword() throws {
        let configuration = try DatabaseConfiguration(url: "postgres://minhu:topsecret@127.0.0.1:5432/minhu?sslmode=disable")
        #expect(!configuration.description.contains("topsecret"))
        #expect(configuration.redactedURL == "postgres://minhu:***@127.0.0.1:5432/minhu?sslmode=disable")
    }

    @Test(arguments: [
        ("mysql://u@h/db", "unsupported scheme 'mysql'"),
        ("postgres://h/db", "names no user"),
        ("postgres://u@h", "names no database"),
        ("postgres://u@h/", "names no database"),
        ("postgres://u@/db", "names no host"),
        ("postgres://u@h:0/db", "invalid port"),
        ("postgres://u@h/db?sslmode=maybe", "invalid sslmode 'maybe'"),
        ("postgres://u@h/db?sslmod=disable", "unknown URL parameter 'sslmod'"),
        ("not a url at all", "not a URL"),
    ])
    func rejectsBadURLs(url: String, message: String) {
        do {
            _ = try DatabaseConfiguration(url: url)
            Issue.record("accepted \(url)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func environment() throws {
        let configuration = try DatabaseConfiguration.fromEnvironment([
            "MINHU_DATABASE_URL": "postgres://u:p@h:1/db", "MINHU_DATABASE_MAX_CONNECTIONS": "7",
        ])
        #expect(configuration.maximumConnections == 7)
        #expect(throws: DatabaseConfigurationError.missingVariable("MINHU_DATABASE_URL")) {
            try DatabaseConfiguration.fromEnvironment([:])
        }
        do {
            _ = try DatabaseConfiguration.fromEnvironment(["MINHU_DATABASE_URL": "postgres://u:hunter2@h/db?x=1"])
            Issue.record("accepted an unknown parameter")
        } catch {
            #expect("\(error)".hasPrefix("MINHU_DATABASE_URL: unknown URL parameter 'x'"))
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}

@Suite struct StorageSQLScriptTests {
    @Test func splitsAtTopLevelSemicolonsOnly() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE t (a text DEFAULT 'x;y', "we;ird" int);
            /* block; /* nested; */ still comment; */
            DO $body$ BEGIN PERFORM 1; RAISE NOTICE 'a;b'; END $body$;
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
            SELECT E'it\\'s;', 'it''s;', $1::text;
            -- trailing comment only
            """
        let statements = SQLScript.statements(in: script)
        #expect(statements.count == 4)
        #expect(statements[0].hasSuffix(#"CREATE TABLE t (a text DEFAULT 'x;y', "we;ird" int)"#))
        #expect(statements[1].hasPrefix("/* block;"))
        #expect(statements[1].hasSuffix("END $body$"))
        #expect(statements[2] == "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$")
        #expect(statements[3] == #"SELECT E'it\'s;', 'it''s;', $1::text"#)
    }

    @Test func bundledMigrationsAreNumberedAndSplit() throws {
        let migrations = try Migration.bundled()
        #expect(migrations.map(\.version) == Array(1...migrations.count))
        #expect(migrations.first?.name == "roles")
        for migration in migrations {
            #expect(!SQLScript.statements(in: migration.sql).isEmpty)
            #expect(migration.checksum.count == 64)
        }
        #expect(try Migration.bundledLatestVersion() == migrations.count)
    }

    @Test func migrationFileNames() {
        #expect(Migration.parseFileName("0002_outbox_inbox.sql")! == (2, "outbox_inbox"))
        #expect(Migration.parseFileName("12345_big.sql")! == (12345, "big"))
        #expect(Migration.parseFileName("002_short.sql") == nil)
        #expect(Migration.parseFileName("0003_Upper.sql") == nil)
        #expect(Migration.parseFileName("0003_x.txt") == nil)
        #expect(Migration.parseFileName("0000_zero.sql") == nil)
    }

    @Test func checksumIsSHA256() {
        #expect(Migration(version: 1, name: "x", sql: "abc").checksum
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Migration(version: 1, name: "x", sql: "").checksum
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = String(repeating: "a", count: 1_000)
        #expect(Migration(version: 1, name: "x", sql: long).checksum
            == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func backoffDoublesUpToTheCap() {
        let backoff = RelayBackoff(initial: .seconds(1), maximum: .seconds(300))
        #expect(backoff.delay(afterAttempts: 0) == .seconds(1))
        #expect(backoff.delay(afterAttempts: 1) == .seconds(1))
        #expect(backoff.delay(afterAttempts: 2) == .seconds(2))
        #expect(backoff.delay(afterAttempts: 5) == .seconds(16))
        #expect(backoff.delay(afterAttempts: 9) == .seconds(256))
        #expect(backoff.delay(afterAttempts: 10) == .seconds(300))
        #expect(backoff.delay(afterAttempts: 10_000) == .seconds(300))
    }

    @Test func serviceRoles() {
        #expect(ServiceRole.intake.roleName == "minhu_intake")
        #expect(ServiceRole.intake.producer == "minhu-intake")
        #expect(ServiceRole.allCases.filter(\.readsCitizenContacts) == [.intake, .dispatcher, .evaluation])
    }
}

/// `/health`'s database probe answers at its deadline even when the database never answers at all.
@Suite struct DatabaseDeadlineTests {
    /// A TCP port that accepts connections (the kernel completes them) and never says a word.
    final class SilentPeer: @unchecked Sendable {
        let socket: Int32
        let port: Int
        init() throws {
            let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
            }
            guard bound == 0, listen(fd, 16) == 0 else {
                close(fd)
                throw DatabaseError.connectionClosed
            }
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            socket = fd
            port = Int(UInt16(bigEndian: address.sin_port))
        }
        deinit { close(socket) }
    }

    @Test("ping against a silent peer fails with the deadline's timeout")
    func silentDatabase() async throws {
        let peer = try SilentPeer()
        let configuration = DatabaseConfiguration(endpoint: .tcp(host: "127.0.0.1", port: peer.port), username: "minhu",
                                                  database: "minhu")
        let database = MinhuDatabase(configuration: configuration, logger: TestDatabase.logger)
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await database.run() }
            await #expect(throws: DatabaseError.timeout(.milliseconds(300))) {
                _ = try await database.ping(timeout: .milliseconds(300))
            }
            group.cancelAll()
        }
    }

    /// A wait that ignores cancellation, as a statement on a silent connection does; opened by the test.
    final class DeafWait: @unchecked Sendable {
        private let lock = NSLock()
        private var waiter: CheckedContinuation<Void, Never>?
        private var opened = false
        var isOpen: Bool { lock.withLock { opened } }
        func wait() async {
            await withCheckedContinuation { continuation in
                lock.lock()
                if opened {
                    lock.unlock()
                    continuation.resume()
                } else {
                    waiter = continuation
                    lock.unlock()
                }
            }
        }
        func open() {
            lock.lock()
            opened = true
            let waiting = waiter
            waiter = nil
            lock.unlock()
            waiting?.resume()
        }
    }

    @Test("an operation that ignores cancellation is answered at the deadline, while it still waits")
    func operationIgnoringCancellation() async throws {
        let deaf = DeafWait()
        // A task group would wait for the operation: the test opens it after a minute at the latest, so it ends.
        let safety = Task { try? await Task.sleep(for: .seconds(60)); deaf.open() }
        await #expect(throws: DatabaseError.timeout(.milliseconds(300))) {
            try await withDeadline(.milliseconds(300)) { await deaf.wait() }
        }
        #expect(!deaf.isOpen, "answered only once the operation ended")
        deaf.open()
        safety.cancel()
    }
}
