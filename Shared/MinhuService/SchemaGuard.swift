import Logging
import MinhuStorage
import ServiceLifecycle

/// Refuses to run a service against a schema older than it needs: checks once at start-up (retrying while the
/// database is unreachable), then idles until shutdown. A too-old schema ends the service group with an error.
public struct SchemaGuard: Service {
    public let database: MinhuDatabase
    public let requiredVersion: Int
    public let logger: Logger
    /// Opened once the schema is new enough, failed when it is not (the consumers wait on it).
    public let gate: StartupGate?

    public init(database: MinhuDatabase, requiredVersion: Int, gate: StartupGate? = nil, logger: Logger) {
        self.database = database
        self.requiredVersion = requiredVersion
        self.gate = gate
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await check() }
        } catch is CancellationError where Task.isShuttingDownGracefully {
            // Stopped (SIGTERM) while the database could not be reached yet: a clean stop, so that the rest of the
            // group (the relay's last flush) stops in order too, instead of waiting out the shutdown timeout.
            logger.info("stopped before the database schema could be checked")
            return
        }
        gate?.open()
        try? await gracefulShutdown()
    }

    /// Checks the schema, retrying while the database is unreachable; fails the gate (and throws) otherwise.
    ///
    /// Each attempt first opens one connection of its own (``DatabaseProbe``): the pool retries a refused login
    /// for ever without telling the query that waits, so a wrong password or database name would otherwise keep the
    /// service waiting in silence. A refusal ends the service (exit 1) with the server's reason.
    private func check() async throws {
        var attempt = 0
        while true {
            switch await DatabaseProbe.check(database.configuration, logger: logger) {
            case .reachable:
                break
            case .refused(let details):
                let error = DatabaseLoginRefused(details: details, target: database.configuration.redactedURL)
                logger.critical("the database refused the login; not retrying", metadata: ["error": "\(error)"])
                gate?.fail(error)
                throw error
            case .unreachable(let reason):
                attempt += 1
                logger.warning("cannot check the database schema yet", metadata: ["error": "\(reason)"])
                try await pause(attempt: attempt)
                continue
            }
            do {
                let migrator = try Migrator(database: database, logger: logger)
                try await migrator.requireSchema(atLeast: requiredVersion)
                break
            } catch let error as MigrationError {
                logger.critical("database schema too old; run `minhu migrate`", metadata: ["error": "\(error)"])
                gate?.fail(error)
                throw error
            } catch is CancellationError {
                gate?.fail(CancellationError())
                throw CancellationError()
            } catch {
                attempt += 1
                logger.warning("cannot check the database schema yet", metadata: ["error": "\(PostgresErrorDetails(error))"])
                try await pause(attempt: attempt)
            }
        }
    }

    /// Waits before the next attempt (0.2 s more each time, at most 5 s); fails the gate when cancelled.
    private func pause(attempt: Int) async throws {
        do {
            try await Task.sleep(for: .seconds(min(5, 0.2 * Double(attempt))))
        } catch {
            gate?.fail(error)
            throw error
        }
    }
}
