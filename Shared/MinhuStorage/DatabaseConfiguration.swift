import Foundation
import PostgresNIO

/// Where and how to reach PostgreSQL, read from a URL.
///
/// Environment (see ``fromEnvironment(_:)``):
/// - `MINHU_DATABASE_URL` (required): `postgres://user:password@host:port/database` (also `postgresql://`).
///   Percent-encode reserved characters in the user and password. Query parameters:
///   `sslmode` = `disable` | `allow` | `prefer` (default) | `require` | `verify-ca` | `verify-full` (the last
///   three all require TLS *and* verify the server's certificate and name); `host=/socket/folder` connects
///   through the Unix socket in that folder (libpq's form; the host part of the URL may then be empty);
///   `application_name`; `connect_timeout` (seconds).
/// - `MINHU_DATABASE_MAX_CONNECTIONS` (optional, 1…1000, default 20): the pool's size.
///
/// The password never appears in ``description``, ``redactedURL`` or in errors.
///
/// ```swift
/// let configuration = try DatabaseConfiguration(url: "postgres://minhu:secret@127.0.0.1:5432/minhu")
/// let database = MinhuDatabase(configuration: configuration, logger: logger)
/// ```
public struct DatabaseConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is made.
    public enum Endpoint: Sendable, Hashable {
        case tcp(host: String, port: Int)
        /// The full path of the socket file, e.g. `/var/run/postgresql/.s.PGSQL.5432`.
        case unixSocket(path: String)
    }

    /// Whether to use TLS.
    public enum TLSMode: String, Sendable, Hashable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, plain otherwise (libpq's default); the certificate is not verified.
        case prefer
        /// TLS or no connection, with the server's certificate and host name verified.
        case require
    }

    public static let urlVariable = "MINHU_DATABASE_URL"
    public static let maximumConnectionsVariable = "MINHU_DATABASE_MAX_CONNECTIONS"

    public var endpoint: Endpoint
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// The pool's maximum number of connections (the relay's LISTEN holds one of them).
    public var maximumConnections: Int
    public var connectTimeout: Duration
    /// Shown in `pg_stat_activity.application_name`, e.g. `minhu-intake`.
    public var applicationName: String?

    public init(endpoint: Endpoint, username: String, password: String? = nil, database: String,
                tls: TLSMode = .prefer, maximumConnections: Int = 20, connectTimeout: Duration = .seconds(10),
                applicationName: String? = nil) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.maximumConnections = maximumConnections
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=…`.
    /// - Throws: ``DatabaseConfigurationError`` saying what is wrong (never echoing the password).
    public init(url text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme else {
            throw DatabaseConfigurationError.notAURL
        }
        guard ["postgres", "postgresql"].contains(scheme.lowercased()) else {
            throw DatabaseConfigurationError.unsupportedScheme(scheme)
        }
        guard let user = components.user, !user.isEmpty else { throw DatabaseConfigurationError.missingUser }
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        database = database.removingPercentEncoding ?? database
        guard !database.isEmpty, !database.contains("/") else { throw DatabaseConfigurationError.missingDatabase }

        var port = 5432
        if let explicit = components.port {
            guard (1...65535).contains(explicit) else { throw DatabaseConfigurationError.invalidPort("\(explicit)") }
            port = explicit
        }

        var tls = TLSMode.prefer
        var socketFolder: String?
        var applicationName: String?
        var connectTimeout = Duration.seconds(10)
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                switch value {
                case "disable": tls = .disable
                case "allow", "prefer": tls = .prefer
                case "require", "verify-ca", "verify-full": tls = .require
                default:
                    throw DatabaseConfigurationError.invalidParameter(
                        name: "sslmode", value: value,
                        expected: "disable, allow, prefer, require, verify-ca or verify-full")
                }
            case "host":
                guard value.hasPrefix("/") else {
                    throw DatabaseConfigurationError.invalidParameter(
                        name: "host", value: value, expected: "an absolute path to the socket folder")
                }
                socketFolder = value
            case "application_name":
                applicationName = value.isEmpty ? nil : value
            case "connect_timeout":
                guard let seconds = Int(value), (1...3600).contains(seconds) else {
                    throw DatabaseConfigurationError.invalidParameter(
                        name: "connect_timeout", value: value, expected: "a number of seconds from 1 to 3600")
                }
                connectTimeout = .seconds(seconds)
            default:
                throw DatabaseConfigurationError.unknownParameter(item.name)
            }
        }

        let endpoint: Endpoint
        if let socketFolder {
            let path = socketFolder.contains(".s.PGSQL.")
                ? socketFolder
                : (socketFolder.hasSuffix("/") ? socketFolder : socketFolder + "/") + ".s.PGSQL.\(port)"
            endpoint = .unixSocket(path: path)
        } else {
            guard let host = components.host, !host.isEmpty else { throw DatabaseConfigurationError.missingHost }
            var bare = host
            if bare.hasPrefix("["), bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
            endpoint = .tcp(host: bare, port: port)
        }
        self.init(endpoint: endpoint, username: user, password: components.password, database: database,
                  tls: tls, connectTimeout: connectTimeout, applicationName: applicationName)
    }

    /// Reads `MINHU_DATABASE_URL` and `MINHU_DATABASE_MAX_CONNECTIONS`.
    /// - Throws: ``DatabaseConfigurationError`` naming the variable at fault.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> DatabaseConfiguration {
        guard let url = environment[urlVariable], !url.isEmpty else {
            throw DatabaseConfigurationError.missingVariable(urlVariable)
        }
        var configuration: DatabaseConfiguration
        do {
            configuration = try DatabaseConfiguration(url: url)
        } catch let error as DatabaseConfigurationError {
            throw DatabaseConfigurationError.invalidVariable(urlVariable, error)
        }
        if let text = environment[maximumConnectionsVariable], !text.isEmpty {
            guard let count = Int(text), (1...1000).contains(count) else {
                throw DatabaseConfigurationError.invalidVariable(
                    maximumConnectionsVariable,
                    .invalidParameter(name: "value", value: text, expected: "a whole number from 1 to 1000"))
            }
            configuration.maximumConnections = count
        }
        return configuration
    }

    /// The same server and credentials, another database (e.g. a test's own).
    public func withDatabase(_ name: String) -> DatabaseConfiguration {
        var copy = self
        copy.database = name
        return copy
    }

    /// The URL with the password replaced by `***`: safe to log.
    public var redactedURL: String {
        var credentials = Self.encodeUserInfo(username)
        if password != nil { credentials += ":***" }
        var query: [String] = []
        let location: String
        switch endpoint {
        case .tcp(let host, let port):
            location = (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        case .unixSocket(let path):
            location = ""
            query.append("host=\(path)")
        }
        switch tls {
        case .disable: query.append("sslmode=disable")
        case .prefer: break
        case .require: query.append("sslmode=verify-full")
        }
        let suffix = query.isEmpty ? "" : "?" + query.joined(separator: "&")
        return "postgres://\(credentials)@\(location)/\(database)\(suffix)"
    }

    public var description: String { redactedURL }

    /// The PostgresNIO client configuration.
    public func makeClientConfiguration() -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch endpoint {
        case .tcp(let host, let port):
            let tlsMode: PostgresClient.Configuration.TLS
            switch tlsSettings {
            case nil: tlsMode = .disable
            case let settings? where settings.required: tlsMode = .require(settings.configuration)
            case let settings?: tlsMode = .prefer(settings.configuration)
            }
            configuration = PostgresClient.Configuration(host: host, port: port, username: username,
                                                         password: password, database: database, tls: tlsMode)
        case .unixSocket(let path):
            configuration = PostgresClient.Configuration(unixSocketPath: path, username: username,
                                                         password: password, database: database)
        }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = connectTimeout
        if let applicationName {
            configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        }
        return configuration
    }

    /// The TLS settings of ``tls``, nil for plain TCP; `required` tells `require` (certificate and name verified)
    /// from `prefer` (not verified). Shared by the pool's and the probe's configurations.
    var tlsSettings: (configuration: TLSConfiguration, required: Bool)? {
        switch tls {
        case .disable:
            return nil
        case .prefer:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            return (configuration, false)
        case .require:
            return (.makeClientConfiguration(), true)
        }
    }

    private static func encodeUserInfo(_ text: String) -> String {
        var allowed = CharacterSet.urlUserAllowed
        allowed.remove(charactersIn: ":@/")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
