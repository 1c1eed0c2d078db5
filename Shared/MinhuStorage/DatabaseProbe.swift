import Foundation
import Logging
import PostgresNIO

/// Opens one connection outside the pool, with the pool's settings, to learn whether the database can be used.
///
/// The pool retries a failed connection for ever and never hands its error to the query waiting for it, so a
/// wrong password or a missing database would leave a service (or a `minhu` command) waiting in silence. The probe
/// answers at once with what the server said; a service exits on a refusal and retries only what may pass.
///
/// ```swift
/// switch await DatabaseProbe.check(configuration, logger: logger) {
/// case .reachable: …
/// case .refused(let details): // e.g. "password authentication failed for user "x" (SQLSTATE 28P01)"
/// case .unreachable(let reason): // e.g. "connection refused"; worth retrying
/// }
/// ```
public enum DatabaseProbe {
    /// What the probe found.
    public enum Outcome: Sendable, Equatable {
        /// A connection opened (and was closed again).
        case reachable
        /// The server answered and refused the login for good: wrong password, unknown user or database, no
        /// `CONNECT` privilege, no `pg_hba.conf` entry. Retrying cannot help; the configuration must change.
        case refused(PostgresErrorDetails)
        /// No answer, or one that may change (a server starting up, too many connections): worth retrying.
        case unreachable(String)
    }

    /// The SQLSTATEs of a login refused for good: invalid password, invalid authorisation (unknown role, no
    /// `pg_hba.conf` entry, a rejecting entry), unknown database, insufficient privilege (no `CONNECT`).
    public static let refusalStates: Set<String> = ["28P01", "28000", "3D000", "42501"]

    /// Connects once with `configuration` (its timeout bounds the attempt) and closes the connection.
    public static func check(_ configuration: DatabaseConfiguration, logger: Logger) async -> Outcome {
        let settings: PostgresConnection.Configuration
        do {
            settings = try configuration.makeConnectionConfiguration()
        } catch {
            return .refused(PostgresErrorDetails(error))
        }
        do {
            let connection = try await PostgresConnection.connect(configuration: settings, id: 0, logger: logger)
            try? await connection.close()
            return .reachable
        } catch {
            return outcome(of: error)
        }
    }

    /// The driver's own codes for a login that cannot succeed as configured: a password the server asks for and
    /// the configuration lacks (a forgotten `MINHU_DATABASE_PASSWORD_FILE`), an authentication method or SASL
    /// exchange the driver cannot complete, TLS required and not offered.
    static let refusalCodes: [PSQLError.Code] = [.authMechanismRequiresPassword, .unsupportedAuthMechanism,
                                                 .saslError, .sslUnsupported]

    /// Classifies a connection error.
    public static func outcome(of error: any Error) -> Outcome {
        let details = PostgresErrorDetails(error)
        if let state = details.sqlState, refusalStates.contains(state) { return .refused(details) }
        guard let psql = error as? PSQLError else { return .unreachable(details.description) }
        if refusalCodes.contains(psql.code) { return .refused(details) }
        if let underlying = psql.underlying {
            // A TLS handshake the server's certificate or name fails (`sslmode=verify-full`) fails again.
            if let tls = underlying as? NIOSSLError, case .handshakeFailed = tls {
                return .refused(PostgresErrorDetails(tls))
            }
            return .unreachable("\(psql.code): \(underlying)")
        }
        return .unreachable(details.description)
    }

    /// Probes until the database is reachable or refuses, for at most `patience`, calling `waiting` with the
    /// reason before each pause (1 s): for commands, which should neither give up on a server that is still
    /// starting (a container's database a moment after its health check passed) nor wait in silence for ever.
    public static func waitUntilReachable(_ configuration: DatabaseConfiguration, patience: Duration,
                                          logger: Logger, waiting: (String) -> Void) async -> Outcome {
        let clock = ContinuousClock()
        let deadline = clock.now + patience
        while true {
            let outcome = await check(configuration, logger: logger)
            guard case .unreachable(let reason) = outcome, clock.now < deadline, !Task.isCancelled else {
                return outcome
            }
            waiting(reason)
            try? await Task.sleep(for: .seconds(1))
        }
    }
}

/// A login the database refused for good (see ``DatabaseProbe``): ends a service that cannot run.
public struct DatabaseLoginRefused: Error, CustomStringConvertible, Sendable {
    public let details: PostgresErrorDetails
    /// Where the server is (the redacted URL: never the password).
    public let target: String

    public init(details: PostgresErrorDetails, target: String) {
        self.details = details
        self.target = target
    }

    public var description: String {
        "the database at \(target) refused the login: \(details); check MINHU_DATABASE_URL and "
            + "MINHU_DATABASE_PASSWORD_FILE (retrying cannot help)"
    }
}

extension DatabaseConfiguration {
    /// The settings of one PostgresNIO connection, as the pool makes them (``makeClientConfiguration()``).
    public func makeConnectionConfiguration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        switch endpoint {
        case .tcp(let host, let port):
            let tlsMode: PostgresConnection.Configuration.TLS
            switch tlsSettings {
            case nil: tlsMode = .disable
            case let settings? where settings.required:
                tlsMode = .require(try NIOSSLContext(configuration: settings.configuration))
            case let settings?: tlsMode = .prefer(try NIOSSLContext(configuration: settings.configuration))
            }
            configuration = PostgresConnection.Configuration(host: host, port: port, username: username,
                                                             password: password, database: database, tls: tlsMode)
        case .unixSocket(let path):
            configuration = PostgresConnection.Configuration(unixSocketPath: path, username: username,
                                                             password: password, database: database)
        }
        configuration.options.connectTimeout = .milliseconds(max(1, connectTimeout.wholeMilliseconds))
        if let applicationName {
            configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        }
        return configuration
    }
}
