import Foundation
import Logging
import MinhuMessaging
import MinhuStorage

/// The configuration every Minhu service reads from its environment, validated at start-up.
///
/// Keys:
/// - `MINHU_DATABASE_URL` (required): `postgres://user:password@host:port/database`.
/// - `MINHU_DATABASE_MAX_CONNECTIONS` (default 20, at least 2): the pool's size.
/// - `MINHU_AMQP_URL` (required): `amqp://user:password@host:port/vhost`.
/// - `MINHU_DATABASE_PASSWORD_FILE`, `MINHU_AMQP_PASSWORD_FILE` (optional): a file holding the password (a
///   container secret, `SecretFile`'s rules), which replaces the URL's; the URL then names only the user.
/// - `MINHU_HTTP_HOST` (default `0.0.0.0`) and `MINHU_HTTP_PORT` (default `8080`; `0` picks a free port).
/// - `MINHU_LOG_LEVEL` (default `info`): trace, debug, info, notice, warning, error, critical.
/// - `MINHU_AMQP_HEARTBEAT` (seconds, default 10), `MINHU_AMQP_PREFETCH` (default 200).
/// - `MINHU_TIMEZONE` (default `Asia/Shanghai`): the jurisdiction's zone for business rules.
/// - `MINHU_SHUTDOWN_TIMEOUT` (seconds, default 20): how long draining may take on SIGTERM.
///
/// Secrets (passwords in URLs) are never logged: `redactedSummary` prints URLs without them.
public struct ServiceConfiguration: Sendable {
    public var serviceName: String
    public var databaseURL: String
    public var database: DatabaseConfiguration
    public var amqpURL: AMQPURL
    public var httpHost: String
    public var httpPort: Int
    public var logLevel: Logger.Level
    public var heartbeatSeconds: Int
    public var prefetch: UInt16
    public var timeZone: TimeZone
    public var shutdownTimeoutSeconds: Double

    /// Reads and validates the configuration of `serviceName` from `environment`.
    /// - Throws: `ConfigurationError` naming the first bad key.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       serviceName: String) throws -> ServiceConfiguration {
        let reader = EnvironmentReader(environment)
        let databaseURL = try reader.required("MINHU_DATABASE_URL")
        var database: DatabaseConfiguration
        do { database = try DatabaseConfiguration(url: databaseURL) } catch {
            throw ConfigurationError(key: "MINHU_DATABASE_URL", reason: "not a valid postgres:// URL (\(error))")
        }
        // At least 2: the relay's LISTEN holds one connection for good.
        database.maximumConnections = try reader.integer("MINHU_DATABASE_MAX_CONNECTIONS", default: 20, range: 2...1000)
        if let password = try reader.secretFile("MINHU_DATABASE_PASSWORD_FILE") { database.password = password }
        let amqpString = try reader.required("MINHU_AMQP_URL")
        var amqpURL: AMQPURL
        do { amqpURL = try AMQPURL(parsing: amqpString) } catch {
            throw ConfigurationError(key: "MINHU_AMQP_URL", reason: "\(error)")
        }
        if let password = try reader.secretFile("MINHU_AMQP_PASSWORD_FILE") {
            amqpURL = amqpURL.with(user: amqpURL.user, password: password)
        } else if let parts = URLComponents(string: amqpString), parts.percentEncodedUser != nil,
                  parts.percentEncodedPassword == nil {
            // Such a URL used to log in with the password "guest" and retry the broker's refusal for ever.
            throw ConfigurationError(key: "MINHU_AMQP_URL", reason: """
                names a user but no password: put the password in MINHU_AMQP_PASSWORD_FILE (or in the URL)
                """)
        }
        let levelName = reader.optional("MINHU_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            throw ConfigurationError(key: "MINHU_LOG_LEVEL", reason: "expected one of trace, debug, info, notice, warning, error, critical")
        }
        let zone = try reader.timeZone("MINHU_TIMEZONE", default: "Asia/Shanghai")
        return ServiceConfiguration(
            serviceName: serviceName, databaseURL: databaseURL, database: database, amqpURL: amqpURL,
            httpHost: reader.optional("MINHU_HTTP_HOST") ?? "0.0.0.0",
            httpPort: try reader.integer("MINHU_HTTP_PORT", default: 8080, range: 0...65535),
            logLevel: level,
            heartbeatSeconds: try reader.integer("MINHU_AMQP_HEARTBEAT", default: 10, range: 1...600),
            prefetch: UInt16(try reader.integer("MINHU_AMQP_PREFETCH", default: 200, range: 1...65535)),
            timeZone: zone,
            shutdownTimeoutSeconds: Double(try reader.integer("MINHU_SHUTDOWN_TIMEOUT", default: 20, range: 1...3600)))
    }

    /// The configuration in words, without secrets, for the start-up log line.
    public var redactedSummary: Logger.Metadata {
        [
            "service": "\(serviceName)",
            "database": "\(database)",
            "amqp": "\(amqpURL)",
            "http": "\(httpHost):\(httpPort)",
            "heartbeat": "\(heartbeatSeconds)",
            "timezone": "\(timeZone.identifier)",
        ]
    }

    /// AMQP connection options for a connection of this service.
    public func amqpOptions(role: String) -> AMQPConnectionOptions {
        AMQPConnectionOptions(heartbeatSeconds: heartbeatSeconds, connectionName: "\(serviceName)/\(role)")
    }
}

/// Reads typed values from an environment dictionary, with errors naming the key.
public struct EnvironmentReader: Sendable {
    private let environment: [String: String]

    public init(_ environment: [String: String]) { self.environment = environment }

    /// The trimmed value, nil when unset or empty.
    public func optional(_ key: String) -> String? {
        guard let value = environment[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// The value; throws `ConfigurationError` when unset or empty.
    public func required(_ key: String) throws -> String {
        guard let value = optional(key) else { throw ConfigurationError(key: key, reason: "is required but not set") }
        return value
    }

    /// The password in the file that `key` names (`SecretFile`), nil when `key` is unset.
    public func secretFile(_ key: String) throws -> String? {
        guard let path = optional(key) else { return nil }
        do { return try SecretFile.read(path) } catch let refusal as SecretFile.Refusal {
            throw ConfigurationError(key: key, reason: refusal.description)
        }
    }

    /// The time zone an identifier names (`defaultIdentifier` when unset); throws `ConfigurationError` for one
    /// that names no zone.
    public func timeZone(_ key: String, default defaultIdentifier: String) throws -> TimeZone {
        guard let zone = TimeZone(identifier: optional(key) ?? defaultIdentifier) else {
            throw ConfigurationError(key: key, reason: "unknown time zone identifier")
        }
        return zone
    }

    /// An integer within `range`, or `defaultValue` when unset.
    public func integer(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = optional(key) else { return defaultValue }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigurationError(key: key, reason: "expected an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}
