import ArgumentParser
import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
import PostgresNIO

/// Shared plumbing of the CLI commands: environment, logging, a database pool for the command's duration.
enum CommandSupport {
    /// A logger to standard error at `MINHU_LOG_LEVEL` (default `warning`, so commands print only results).
    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { label in StreamLogHandler.standardError(label: label) }
        let level = ProcessInfo.processInfo.environment["MINHU_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) }
        logger.logLevel = level ?? .warning
        return logger
    }

    /// `MINHU_DATABASE_URL`, validated, with the password of `MINHU_DATABASE_PASSWORD_FILE` when set (as the
    /// services read it); a clear error naming the key otherwise.
    static func databaseConfiguration() throws -> DatabaseConfiguration {
        guard let url = ProcessInfo.processInfo.environment["MINHU_DATABASE_URL"], !url.isEmpty else {
            throw CommandFailure("MINHU_DATABASE_URL is required but not set")
        }
        var configuration: DatabaseConfiguration
        do { configuration = try DatabaseConfiguration(url: url) } catch {
            throw CommandFailure("MINHU_DATABASE_URL: \(error)")
        }
        if let password = try secret("MINHU_DATABASE_PASSWORD_FILE") { configuration.password = password }
        return configuration
    }

    /// `MINHU_AMQP_URL`, parsed, with the password of `MINHU_AMQP_PASSWORD_FILE` when set.
    static func brokerURL() throws -> AMQPURL {
        var url: AMQPURL
        do { url = try AMQPURL(parsing: try environment("MINHU_AMQP_URL")) } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("MINHU_AMQP_URL: \(error)")
        }
        if let password = try secret("MINHU_AMQP_PASSWORD_FILE") { url = url.with(user: url.user, password: password) }
        return url
    }

    /// A broker URL given as an option (`option`, e.g. `--amqp-url`): as given when it holds a password; without
    /// one, with `MINHU_AMQP_PASSWORD_FILE`'s password when that is set, so that no password need be on the command
    /// line (where other users of the host see it).
    static func brokerURL(option: String, _ text: String) throws -> AMQPURL {
        var url: AMQPURL
        do { url = try AMQPURL(parsing: text) } catch { throw CommandFailure("\(option): \(error)") }
        if URLComponents(string: text)?.percentEncodedPassword == nil,
           let password = try secret("MINHU_AMQP_PASSWORD_FILE") {
            url = url.with(user: url.user, password: password)
        }
        return url
    }

    /// The jurisdiction's zone, `MINHU_TIMEZONE` (default Asia/Shanghai, as for the services); an identifier that
    /// names no zone is an error, not a silent fallback.
    static func timeZone() throws -> TimeZone {
        let reader = EnvironmentReader(ProcessInfo.processInfo.environment)
        do { return try reader.timeZone("MINHU_TIMEZONE", default: WorkingCalendar.defaultTimeZone.identifier) } catch {
            // (A zone's name is no secret: the operator sees what was mistyped.)
            throw CommandFailure("\(error) '\(reader.optional("MINHU_TIMEZONE") ?? "")'")
        }
    }

    /// The password in the file that `key` names, nil when `key` is unset.
    private static func secret(_ key: String) throws -> String? {
        do { return try EnvironmentReader(ProcessInfo.processInfo.environment).secretFile(key) } catch {
            throw CommandFailure("\(error)")
        }
    }

    /// A required environment value.
    static func environment(_ key: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[key], !value.isEmpty else {
            throw CommandFailure("\(key) is required but not set")
        }
        return value
    }

    /// Runs `body` with a running database pool, shutting it down afterwards.
    ///
    /// One connection is opened first (``DatabaseProbe``), so that a database that refuses the login ends the
    /// command at once with the server's reason, and one that cannot be reached after 30 s (a line on standard
    /// error each second) ends it with the last reason; the pool alone would retry in silence for ever.
    static func withDatabase<T: Sendable>(_ configuration: DatabaseConfiguration, logger: Logger,
                                          _ body: @escaping @Sendable (MinhuDatabase) async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        let outcome = await DatabaseProbe.waitUntilReachable(configuration, patience: .seconds(30), logger: logger) {
            let line = "waiting for the database at \(configuration.redactedURL): \($0)\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        switch outcome {
        case .reachable:
            break
        case .refused(let details):
            throw CommandFailure("\(DatabaseLoginRefused(details: details, target: configuration.redactedURL))")
        case .unreachable(let reason):
            let waited = (ContinuousClock.now - started).components.seconds
            throw CommandFailure(
                "cannot reach the database at \(configuration.redactedURL) (waited \(waited) s): \(reason)")
        }
        let database = MinhuDatabase(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await database.run()
                return nil
            }
            group.addTask {
                await database.waitUntilRunning()
                return try await body(database)
            }
            defer { group.cancelAll() }
            do {
                while let result = try await group.next() {
                    if let value = result { return value }
                }
            } catch let error as PSQLError {
                // PSQLError prints a generic text; say what the server said (SQLSTATE and message).
                throw DatabaseCommandError(details: PostgresErrorDetails(error))
            }
            throw CancellationError()
        }
    }
}

/// A database error as the operator should read it: the server's SQLSTATE and message.
struct DatabaseCommandError: Error, CustomStringConvertible {
    let details: PostgresErrorDetails
    var description: String { "database: \(details)" }
}
