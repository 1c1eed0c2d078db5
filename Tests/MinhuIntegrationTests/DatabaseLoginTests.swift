import Foundation
import Logging
import MinhuStorage
import Testing

/// A database that refuses the login, or cannot be reached, on the real PostgreSQL (which asks every role but
/// `postgres` for a SCRAM password: scripts/postgres-instance): `DatabaseProbe`'s answer, a service that exits with
/// the server's reason instead of waiting in silence, and a `minhu` command that fails at once.
@Suite("Database login", .enabled(if: TestDatabase.isConfigured, "MINHU_TEST_DATABASE_URL is not set"))
struct DatabaseLoginTests {
    let logger = TestDatabase.logger

    /// The test server with a user that does not exist and a password (the server answers 28P01, as for a wrong
    /// password), or the superuser with a database that does not exist (3D000).
    static func refusedURLs() throws -> [(url: String, state: String)] {
        let server = try TestDatabase.serverConfiguration()
        guard case .tcp(let host, let port) = server.endpoint else { return [] }
        let user = "nobody_" + UUID().uuidString.prefix(8).lowercased()
        // The server's own user and password (when it has one), on a database that does not exist.
        let secret = server.password.map {
            ":" + ($0.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed) ?? $0)
        }
        return [("postgres://\(user):wrong-secret-4711@\(host):\(port)/\(server.database)", "28P01"),
                ("postgres://\(server.username)\(secret ?? "")@\(host):\(port)/minhu_no_such_database", "3D000")]
    }

    @Test("DatabaseProbe: reachable, refused with the server's SQLSTATE, or unreachable")
    func probe() async throws {
        let server = try TestDatabase.serverConfiguration()
        #expect(await DatabaseProbe.check(server, logger: logger) == .reachable)
        for (url, state) in try Self.refusedURLs() {
            let outcome = await DatabaseProbe.check(try DatabaseConfiguration(url: url), logger: logger)
            guard case .refused(let details) = outcome else {
                Issue.record("\(url): \(outcome)")
                continue
            }
            #expect(details.sqlState == state)
        }
        var closedPort = server
        closedPort.endpoint = .tcp(host: "127.0.0.1", port: 1)
        guard case .unreachable(let reason) = await DatabaseProbe.check(closedPort, logger: logger) else {
            Issue.record("port 1 should be unreachable")
            return
        }
        #expect(reason.contains("refused"), "\(reason)")
    }

    @Test("a service whose database refuses the login exits 1 at once, naming the SQLSTATE, never the password")
    func serviceExits() async throws {
        for (url, state) in try Self.refusedURLs() {
            let environment = ["MINHU_DATABASE_URL": url, "MINHU_AMQP_URL": "amqp://u:p@127.0.0.1:1/x",
                               "MINHU_HTTP_HOST": "127.0.0.1", "MINHU_HTTP_PORT": "0", "PATH": "/usr/bin:/bin"]
            let clock = ContinuousClock()
            let start = clock.now
            let (status, output) = try await ChildProcess.with("minhu-dispatcher", environment: environment) {
                (await $0.waitForExit(timeout: .seconds(60)), $0.log)
            }
            #expect(status == 1, "\(output.suffix(2000))")
            // The pool alone would have retried until the timeout above.
            #expect(clock.now - start < .seconds(50))
            #expect(output.contains("the database refused the login; not retrying"), "\(output.suffix(2000))")
            #expect(output.contains("SQLSTATE \(state)"), "\(output.suffix(2000))")
            #expect(!output.contains("wrong-secret-4711"))
        }
    }

    @Test("a minhu command fails at once when the database refuses the login, and after a 30 s wait when it is down")
    func commandFails() async throws {
        let server = try TestDatabase.serverConfiguration()
        guard case .tcp(let host, _) = server.endpoint else { return }
        var cases = try Self.refusedURLs().map { (url: $0.url, expected: ["SQLSTATE \($0.state)"]) }
        // A server that does not answer: the command waits 30 s for it, saying so, then gives up.
        cases.append(("postgres://\(server.username)@\(host):1/minhu",
                      ["waiting for the database", "cannot reach the database"]))
        for (url, expected) in cases {
            let (status, output) = try await ChildProcess.with(
                "minhu", arguments: ["migrate"], environment: ["MINHU_DATABASE_URL": url, "PATH": "/usr/bin:/bin"]
            ) { process in
                (await process.waitForExit(timeout: .seconds(60)), process.log)
            }
            #expect(status == 1, "\(output)")
            for text in expected { #expect(output.contains(text), "\(output)") }
            #expect(!output.contains("wrong-secret-4711"))
            if let password = server.password { #expect(!output.contains(password)) }
        }
    }
}
