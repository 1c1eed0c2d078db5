import Logging
import MinhuStorage
import ServiceLifecycle

/// Refuses to run a service against a schema older than it needs: checks once at start-up (retrying while the
/// database is unreachable), then idles until shutdown. A too-old schema ends the service group with an error.
public struct SchemaGuard: Service {
    public let database: MinhuDatabase
    public let requiredVersion: Int
    public let logger: Logger

    public init(database: MinhuDatabase, requiredVersion: Int, logger: Logger) {
        self.database = database
        self.requiredVersion = requiredVersion
        self.logger = logger
    }

    public func run() async throws {
        var attempt = 0
        while true {
            do {
                let migrator = try Migrator(database: database, logger: logger)
                try await migrator.requireSchema(atLeast: requiredVersion)
                break
            } catch let error as MigrationError {
                logger.critical("database schema too old; run `minhu migrate`", metadata: ["error": "\(error)"])
                throw error
            } catch {
                attempt += 1
                logger.warning("cannot check the database schema yet", metadata: ["error": "\(PostgresErrorDetails(error))"])
                try await Task.sleep(for: .seconds(min(5, 0.2 * Double(attempt))))
            }
        }
        try? await gracefulShutdown()
    }
}
