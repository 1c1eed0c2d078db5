import Foundation
import MinhuService
import MinhuStorage
import Testing

/// Password files (`SecretFile`), the services' `MINHU_*_PASSWORD_FILE` keys and the SCRAM verifier: pure logic
/// and temporary files, no server.
struct SecretFileTests {
    /// Writes `content` to a temporary file, runs `body` with its path, removes it.
    func withFile<T>(_ content: String, _ body: (String) throws -> T) throws -> T {
        let path = NSTemporaryDirectory() + "minhu-secret-\(UUID().uuidString)"
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    @Test("a password file: first line, one line break ignored; bad content refused without echoing it")
    func rules() throws {
        #expect(try withFile("s3cret-Pa55word\n") { try SecretFile.read($0) } == "s3cret-Pa55word")
        #expect(try withFile("s3cret-Pa55word\r\n") { try SecretFile.read($0) } == "s3cret-Pa55word")
        #expect(try withFile("s3cret-Pa55word") { try SecretFile.read($0) } == "s3cret-Pa55word")
        let refused: [(String, String)] = [
            ("", "is empty"), ("\n", "is empty"), ("short-pw\n", "shorter than 12"),
            ("two words password\n", "a space"), ("first-line-pass\nsecond-line\n", "more than one line"),
            ("密码密码密码密码密码密码\n", "non-ASCII"), ("tab\there-password\n", "control character"),
            (String(repeating: "x", count: 257), "longer than 256"),
            (String(repeating: "x", count: 5000), "longer than 256"),
        ]
        for (content, reason) in refused {
            let error = try withFile(content) { path -> SecretFile.Refusal? in
                #expect(throws: SecretFile.Refusal.self) { try SecretFile.read(path) }
                do { _ = try SecretFile.read(path) } catch let refusal as SecretFile.Refusal { return refusal }
                return nil
            }
            guard let refusal = error else { continue }
            #expect(refusal.reason.contains(reason), "\(refusal.reason)")
            #expect(content.count < 12 || !refusal.description.contains(String(content.prefix(12))))
        }
        // A wrong path is not read whole: a device of endless zeros, a folder.
        #expect(throws: SecretFile.Refusal(path: "/dev/zero", reason: "longer than 256 characters")) {
            try SecretFile.read("/dev/zero")
        }
        #expect(throws: SecretFile.Refusal.self) { try SecretFile.read(NSTemporaryDirectory()) }
        let missing = "/nonexistent/minhu-secret"
        #expect(throws: SecretFile.Refusal(path: missing, reason: "cannot be read (missing, or not readable by this "
                                               + "user)")) { try SecretFile.read(missing) }
    }

    @Test("MINHU_AMQP_PASSWORD_FILE and MINHU_DATABASE_PASSWORD_FILE replace the URLs' passwords")
    func serviceConfiguration() throws {
        let base = ["MINHU_DATABASE_URL": "postgres://intake_app@db.example:5432/minhu",
                    "MINHU_AMQP_URL": "amqp://minhu-intake@mq.example:5672/minhu"]
        try withFile("amqp-password-1\n") { amqpFile in
            try withFile("database-password-1\n") { databaseFile in
                var environment = base
                environment["MINHU_AMQP_PASSWORD_FILE"] = amqpFile
                environment["MINHU_DATABASE_PASSWORD_FILE"] = databaseFile
                let configuration = try ServiceConfiguration.fromEnvironment(environment, serviceName: "intake")
                #expect(configuration.amqpURL.user == "minhu-intake")
                #expect(configuration.amqpURL.password == "amqp-password-1")
                #expect(configuration.database.username == "intake_app")
                #expect(configuration.database.password == "database-password-1")
                #expect(!"\(configuration.redactedSummary)".contains("password-1"))
            }
        }
        // A broker user without a password anywhere is refused (it used to log in as password "guest"); the
        // database may have none (a peer or trust login).
        #expect(throws: ConfigurationError(key: "MINHU_AMQP_URL", reason: """
            names a user but no password: put the password in MINHU_AMQP_PASSWORD_FILE (or in the URL)
            """)) { try ServiceConfiguration.fromEnvironment(base, serviceName: "intake") }
        var withPassword = base
        withPassword["MINHU_AMQP_URL"] = "amqp://minhu-intake:in-the-url@mq.example:5672/minhu"
        let unchanged = try ServiceConfiguration.fromEnvironment(withPassword, serviceName: "intake")
        #expect(unchanged.amqpURL.password == "in-the-url" && unchanged.database.password == nil)
        try withFile("short\n") { path in
            var environment = base
            environment["MINHU_AMQP_PASSWORD_FILE"] = path
            do {
                _ = try ServiceConfiguration.fromEnvironment(environment, serviceName: "intake")
                Issue.record("a short password file was accepted")
            } catch let error as ConfigurationError {
                #expect(error.key == "MINHU_AMQP_PASSWORD_FILE")
                #expect(error.reason.contains("shorter than 12"))
            }
        }
        var environment = withPassword
        environment["MINHU_DATABASE_PASSWORD_FILE"] = "/nonexistent/db-password"
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration.fromEnvironment(environment, serviceName: "intake")
        }
    }

    @Test("the SCRAM-SHA-256 verifier matches an independent computation (Python's hashlib and hmac)")
    func scramKnownAnswer() throws {
        // python3: pbkdf2_hmac('sha256', b'correct-horse-battery', bytes(range(16)), 4096), then HMAC and SHA-256.
        let expected = "SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$eYkIrwlo2T0d6Ca9d6/xzsgUUbZwOdz0/X0v8MioG9w=:"
            + "TNz7/wgi5sczC08YCovXDhkXvBBmBt7YYvSKSkQAFg8="
        let salt = (0..<16).map { UInt8($0) }
        #expect(ScramVerifier.make(password: "correct-horse-battery", salt: salt, iterations: 4096) == expected)
        let parameters = try #require(ScramVerifier.parameters(of: expected))
        #expect(parameters.salt == salt && parameters.iterations == 4096)
        let random = ScramVerifier.make(password: "correct-horse-battery")
        #expect(random != expected && ScramVerifier.parameters(of: random)?.salt.count == 16)
        #expect(ScramVerifier.parameters(of: "md5abcdef") == nil)
        #expect(ScramVerifier.parameters(of: "SCRAM-SHA-256$x:AAAA$a:b") == nil)
    }
}
