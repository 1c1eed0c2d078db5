import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Fails the queries that PostgresNIO would leave waiting for ever on a connection that closed under them.
///
/// `PostgresConnection.query` hands its query to the channel with `channel.write(…, promise: nil)`. When the
/// channel has already closed (PostgreSQL restarted, the backend was killed) and NIO has removed the connection's
/// handler from the pipeline, that write is dropped and the query's own promise is never completed: the caller
/// waits for ever, holding its pool lease, and cannot be cancelled. `FaultPostgresTests` hung on this once; a stress
/// run of immediate restarts left 14 of 14 busy workers stuck within 8 restarts. `FaultPostgresRestartLoopTests`
/// is the regression test.
///
/// ``PostgresConnection/guardedQuery(_:logger:file:line:)`` registers each query here. One close callback per
/// connection fails the queries still waiting ``gracePeriod`` after the connection closed, with
/// ``DatabaseError/connectionClosed``; a query the driver answers in the meantime keeps its own outcome.
final class ConnectionCloseWatch: @unchecked Sendable {
    typealias Continuation = CheckedContinuation<PostgresRowSequence, any Error>

    static let shared = ConnectionCloseWatch()

    /// How long a query may still complete on its own after its connection closed.
    static let gracePeriod: TimeAmount = .seconds(2)

    private let logger = Logger(label: "minhu.storage.close-watch")
    private let lock = NSLock()
    private var nextToken: UInt64 = 0
    /// The waiting queries of each watched connection: an entry from its first query until `gracePeriod` after it
    /// closed. The entry holds the connection, so that its address (the key) cannot be reused meanwhile.
    private var waiting: [ObjectIdentifier: Watched] = [:]

    private struct Watched {
        let connection: PostgresConnection
        var queries: [UInt64: Continuation] = [:]
    }

    /// Registers a query about to run on `connection`; returns the token that ``finish(_:on:with:)`` needs.
    func register(_ continuation: Continuation, on connection: PostgresConnection) -> UInt64 {
        let key = ObjectIdentifier(connection)
        let (token, firstSeen) = lock.withLock { () -> (UInt64, Bool) in
            nextToken &+= 1
            let firstSeen = waiting[key] == nil
            waiting[key, default: Watched(connection: connection)].queries[nextToken] = continuation
            return (nextToken, firstSeen)
        }
        if firstSeen {
            let eventLoop = connection.eventLoop
            connection.closeFuture.whenComplete { _ in
                eventLoop.scheduleTask(in: Self.gracePeriod) { self.connectionClosed(key) }
            }
        }
        return token
    }

    /// Resumes the query of `token` with its outcome, unless the close callback already failed it.
    func finish(_ token: UInt64, on connection: PostgresConnection,
                with result: Result<PostgresRowSequence, any Error>) {
        let key = ObjectIdentifier(connection)
        let continuation = lock.withLock { waiting[key]?.queries.removeValue(forKey: token) }
        continuation?.resume(with: result)
    }

    private func connectionClosed(_ key: ObjectIdentifier) {
        let stranded = lock.withLock { waiting.removeValue(forKey: key)?.queries } ?? [:]
        if !stranded.isEmpty {
            logger.warning("queries stranded on a closed database connection failed", metadata: [
                "queries": "\(stranded.count)",
            ])
        }
        for continuation in stranded.values {
            continuation.resume(throwing: DatabaseError.connectionClosed)
        }
    }
}

extension PostgresConnection {
    /// `query(_:logger:)`, except that it fails with ``DatabaseError/connectionClosed`` instead of waiting for ever
    /// when the connection closes under it (see ``ConnectionCloseWatch``). Minhu's code runs every statement
    /// through this method; `scripts/check-queries` rejects a direct `.query(` call.
    @discardableResult
    public func guardedQuery(_ query: PostgresQuery, logger: Logger,
                             file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        if isClosed { throw DatabaseError.connectionClosed }
        let watch = ConnectionCloseWatch.shared
        return try await withCheckedThrowingContinuation { continuation in
            let token = watch.register(continuation, on: self)
            Task {
                let result: Result<PostgresRowSequence, any Error>
                do {
                    result = .success(try await self.query(query, logger: logger, file: file, line: line))
                } catch {
                    result = .failure(error)
                }
                watch.finish(token, on: self, with: result)
            }
        }
    }
}
