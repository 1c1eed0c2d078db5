import Foundation
import Logging
import MinhuStorage
import PostgresNIO
import ServiceLifecycle

/// A PostgreSQL database of a test's own, on the server `MINHU_TEST_DATABASE_URL` names (a superuser URL such as
/// `postgres://postgres@127.0.0.1:5452/postgres`).
///
/// Each call creates `minhu_test_<random>`, optionally migrates it (with the shipped reference data), hands it to
/// the test, and drops it afterwards, so tests run in parallel on one server without seeing each other. (Roles are
/// cluster-wide and shared; migrations create them idempotently.) Tests that need a database are disabled, not
/// failed, when the variable is not set:
///
/// ```swift
/// @Suite(.enabled(if: TestDatabase.isConfigured, "MINHU_TEST_DATABASE_URL is not set"))
/// struct MyTests {
///     @Test func something() async throws {
///         try await TestDatabase.withDatabase { database in
///             try await database.withTransaction { connection in … }
///         }
///     }
/// }
/// ```
enum TestDatabase {
    static let urlVariable = "MINHU_TEST_DATABASE_URL"

    /// True when `MINHU_TEST_DATABASE_URL` is set.
    static var isConfigured: Bool {
        !(ProcessInfo.processInfo.environment[urlVariable] ?? "").isEmpty
    }

    /// The server's superuser configuration (from `MINHU_TEST_DATABASE_URL`).
    static func serverConfiguration() throws -> DatabaseConfiguration {
        guard let url = ProcessInfo.processInfo.environment[urlVariable], !url.isEmpty else {
            throw DatabaseConfigurationError.missingVariable(urlVariable)
        }
        var configuration = try DatabaseConfiguration(url: url)
        configuration.maximumConnections = 8
        return configuration
    }

    /// Quiet by default; `MINHU_TEST_LOG_LEVEL=debug` (trace, debug, info, notice, warning, error) to see more.
    static var logger: Logger {
        var logger = Logger(label: "minhu.test")
        logger.logLevel = ProcessInfo.processInfo.environment["MINHU_TEST_LOG_LEVEL"]
            .flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }

    /// Creates a fresh database, migrated unless `migrated` is false, runs a `MinhuDatabase` pool on it during
    /// `body`, then drops the database (whatever `body` did).
    static func withDatabase<Result: Sendable>(
        migrated: Bool = true,
        _ body: @Sendable (MinhuDatabase) async throws -> Result
    ) async throws -> Result {
        try await withConfiguration(migrated: migrated) { configuration in
            try await withRunningDatabase(configuration) { database in try await body(database) }
        }
    }

    /// Creates a fresh database (migrated unless `migrated` is false), hands its configuration to `body` (which
    /// builds its own pool, e.g. a whole service runtime), then drops the database.
    static func withConfiguration<Result: Sendable>(
        migrated: Bool = true,
        _ body: @Sendable (DatabaseConfiguration) async throws -> Result
    ) async throws -> Result {
        let server = try serverConfiguration()
        let name = "minhu_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await onServer(server) { client in
            // Identifiers cannot be bound parameters; `name` is generated above ([a-z0-9_] only), never input.
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let configuration = server.withDatabase(name)
        do {
            if migrated {
                _ = try await withRunningDatabase(configuration) { database in
                    try await Migrator(database: database, logger: logger).migrate()
                }
            }
            let result = try await body(configuration)
            try await drop(name, on: server)
            return result
        } catch {
            try? await drop(name, on: server)
            throw error
        }
    }

    /// Runs a `MinhuDatabase` pool for `configuration` during `body`.
    static func withRunningDatabase<Result: Sendable>(
        _ configuration: DatabaseConfiguration,
        _ body: @Sendable (MinhuDatabase) async throws -> Result
    ) async throws -> Result {
        let database = MinhuDatabase(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
            group.addTask { try await database.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held. Never a fixed sleep.
    static func waitUntil(
        timeout: Duration = .seconds(60), every interval: Duration = .milliseconds(20),
        _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if try await condition() { return true }
            if clock.now >= deadline { return false }
            try await Task.sleep(for: interval)
        }
    }

    private static func drop(_ name: String, on server: DatabaseConfiguration) async throws {
        try await onServer(server) { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"),
                                   logger: logger)
        }
    }

    /// Runs `body` with a short-lived client on the server's own database.
    private static func onServer(
        _ server: DatabaseConfiguration, _ body: @Sendable (PostgresClient) async throws -> Void
    ) async throws {
        var configuration = server
        configuration.maximumConnections = 1
        let client = PostgresClient(configuration: configuration.makeClientConfiguration(), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(client)
        }
    }
}
