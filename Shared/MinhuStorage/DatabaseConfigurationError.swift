import Foundation

/// Why a database URL or variable cannot be used. Never contains the password.
public indirect enum DatabaseConfigurationError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    case notAURL
    case unsupportedScheme(String)
    case missingHost
    case missingUser
    case missingDatabase
    case invalidPort(String)
    case invalidParameter(name: String, value: String, expected: String)
    case unknownParameter(String)
    case missingVariable(String)
    case invalidVariable(String, DatabaseConfigurationError)

    public var description: String {
        switch self {
        case .notAURL:
            "not a URL: expected postgres://user:password@host:port/database"
        case .unsupportedScheme(let scheme):
            "unsupported scheme '\(scheme)': expected postgres:// or postgresql://"
        case .missingHost:
            "the URL names no host: expected postgres://user:password@host:port/database (or ?host=/socket/folder)"
        case .missingUser:
            "the URL names no user: expected postgres://user:password@host:port/database"
        case .missingDatabase:
            "the URL names no database: expected postgres://user:password@host:port/database"
        case .invalidPort(let port):
            "invalid port '\(port)': expected 1…65535"
        case .invalidParameter(let name, let value, let expected):
            "invalid \(name) '\(value)': expected \(expected)"
        case .unknownParameter(let name):
            "unknown URL parameter '\(name)': expected sslmode, host, application_name or connect_timeout"
        case .missingVariable(let name):
            "\(name) is not set: expected postgres://user:password@host:port/database"
        case .invalidVariable(let name, let error):
            "\(name): \(error.description)"
        }
    }

    public var errorDescription: String? { description }
}
