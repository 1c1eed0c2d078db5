import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Minhu's PostgreSQL connection pool: a `PostgresClient` run as a `Service`, with transactions and a readiness
/// probe.
///
/// Run it before anything that uses it: put it first in the `ServiceGroup` (services shut down in reverse order,
/// so the pool closes last), or in a task group in tests. Queries issued before ``run()`` wait for it.
///
/// SQL goes only through `PostgresQuery` string interpolation, which sends every interpolated value as a bound
/// parameter; values are never concatenated into SQL.
///
/// ```swift
/// let database = MinhuDatabase(configuration: try .fromEnvironment(), logger: logger)
/// let group = ServiceGroup(services: [database, relay, httpServer], gracefulShutdownSignals: [.sigterm],
///                          logger: logger)
/// try await database.withTransaction { connection in
///     try await connection.guardedQuery("UPDATE deputies SET active = false WHERE id = \(id)", logger: logger)
///     try await OutboxWriter.append(messages, producer: "minhu-intake", on: connection, logger: logger)
/// }
/// ```
public final class MinhuDatabase: Service, Sendable {
    /// The underlying pool, for what this type does not wrap (prepared statements, COPY).
    public let client: PostgresClient
    public let configuration: DatabaseConfiguration
    public let logger: Logger
    /// Set just before the pool runs (see ``waitUntilRunning()``).
    private let started = StartedFlag()

    public init(configuration: DatabaseConfiguration, logger: Logger,
                eventLoopGroup: any EventLoopGroup = PostgresClient.defaultEventLoopGroup) {
        self.configuration = configuration
        self.logger = logger
        self.client = PostgresClient(configuration: configuration.makeClientConfiguration(),
                                     eventLoopGroup: eventLoopGroup, backgroundLogger: logger)
    }

    /// Runs the pool until graceful shutdown (or cancellation), then closes its connections.
    public func run() async throws {
        logger.debug("database pool starting", metadata: ["database.url": "\(configuration.redactedURL)"])
        started.set()
        await client.run()
        logger.debug("database pool stopped")
    }

    /// Returns once ``run()`` is about to start the pool (or when the task is cancelled). A query issued earlier
    /// waits for the pool too, but PostgresNIO logs a warning for it, which a short-lived command (`minhu …`) would
    /// print.
    public func waitUntilRunning() async {
        while !started.isSet, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    /// A flag set once, read from any thread.
    private final class StartedFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }

    /// Leases a connection for `body`'s lifetime. `body` must not keep the connection.
    ///
    /// Until the pool has processed a connection's close, it may lend that closed connection once more; such a
    /// lease is held (so that the pool cannot lend it yet again) while another is taken, up to
    /// ``closedLeaseRetries`` times.
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await withOpenConnection(isolation: isolation, retriesLeft: Self.closedLeaseRetries, body)
    }

    /// How many times ``withConnection(isolation:_:)`` leases again when the pool lends a closed connection.
    public static let closedLeaseRetries = 3

    private func withOpenConnection<Result>(
        isolation: isolated (any Actor)?,
        retriesLeft: Int,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await client.withConnection(isolation: isolation) { connection in
            if connection.isClosed && retriesLeft > 0 {
                logger.debug("the pool lent a closed connection; leasing another")
                return try await withOpenConnection(isolation: isolation, retriesLeft: retriesLeft - 1, body)
            }
            return try await body(connection)
        }
    }

    /// Runs `body` in a transaction: `BEGIN`, then `COMMIT` when `body` returns, `ROLLBACK` when it throws.
    ///
    /// Errors are rethrown as they are (the error `body` threw, or the error of `COMMIT`), not wrapped.
    /// `body` must leave the transaction open (no `COMMIT`/`ROLLBACK` of its own).
    public func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        let logger = self.logger
        return try await withConnection(isolation: isolation) { connection in
            try await MinhuDatabase.withTransaction(on: connection, logger: logger, isolation: isolation, body)
        }
    }

    /// Runs `body` in a transaction on a connection the caller already holds (see
    /// ``withTransaction(isolation:_:)``).
    public static func withTransaction<Result>(
        on connection: PostgresConnection,
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await connection.guardedQuery("BEGIN", logger: logger)
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            if connection.isClosed { throw error } // nothing to roll back: the server ended the transaction
            do {
                try await connection.guardedQuery("ROLLBACK", logger: logger)
            } catch let rollbackError {
                // The connection is unusable (most likely gone): close it so the pool does not lend it again in
                // an aborted transaction.
                logger.warning("rollback failed; closing the connection",
                               metadata: ["error": "\(PostgresErrorDetails(rollbackError))"])
                try? await connection.close()
            }
            throw error
        }
        try await connection.guardedQuery("COMMIT", logger: logger)
        return result
    }

    /// Checks that the database answers a query within `timeout` (the readiness probe of `/health`).
    ///
    /// - Returns: the round-trip time.
    /// - Throws: ``DatabaseError/timeout(_:)`` or the driver's error.
    @discardableResult
    public func ping(timeout: Duration = .seconds(2)) async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        try await withDeadline(timeout) {
            _ = try await self.withConnection { connection in
                try await connection.guardedQuery("SELECT 1", logger: self.logger).collect()
            }
        }
        return clock.now - start
    }

    /// ``ping(timeout:)`` as a status for `/health`; never throws.
    public func health(timeout: Duration = .seconds(2)) async -> DatabaseHealth {
        do {
            let latency = try await ping(timeout: timeout)
            return DatabaseHealth(isReady: true, latency: latency, detail: nil)
        } catch {
            return DatabaseHealth(isReady: false, latency: nil, detail: "\(PostgresErrorDetails(error))")
        }
    }
}

/// The database's readiness, as `/health` reports it.
public struct DatabaseHealth: Sendable, Hashable {
    public var isReady: Bool
    /// Round-trip time of the probe query, when it answered.
    public var latency: Duration?
    /// Why it is not ready (no credentials, no query parameters).
    public var detail: String?

    public init(isReady: Bool, latency: Duration?, detail: String?) {
        self.isReady = isReady
        self.latency = latency
        self.detail = detail
    }
}
