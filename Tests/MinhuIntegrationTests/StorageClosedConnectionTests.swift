import Foundation
import Logging
import MinhuStorage
import PostgresNIO
import Testing

/// A statement on a connection that the server has closed fails at once instead of waiting for ever.
@Suite(.enabled(if: TestDatabase.isConfigured, "MINHU_TEST_DATABASE_URL is not set"))
struct StorageClosedConnectionTests {
    let logger = TestDatabase.logger

    @Test func aStatementOnATerminatedConnectionFailsWithConnectionClosed() async throws {
        try await TestDatabase.withDatabase(migrated: false) { database in
            let logger = self.logger
            let outcome: String = try await database.withConnection { connection in
                // The backend ends itself: the server closes this connection.
                _ = try? await connection.guardedQuery("SELECT pg_terminate_backend(pg_backend_pid())",
                                                       logger: logger).collect()
                let closed = try await eventually(timeout: .seconds(10)) { connection.isClosed }
                #expect(closed)
                do {
                    try await connection.guardedQuery("SELECT 1", logger: logger)
                    return "answered"
                } catch DatabaseError.connectionClosed {
                    return "connectionClosed"
                } catch {
                    return "other error: \(error)"
                }
            }
            #expect(outcome == "connectionClosed")
            let poolAnswers = try await Self.poolAnswers(database, logger: logger)
            #expect(poolAnswers, "the next lease answers")
        }
    }

    @Test func aTransactionWhoseConnectionClosedRethrowsWithoutRollingBack() async throws {
        try await TestDatabase.withDatabase(migrated: false) { database in
            let logger = self.logger
            var failed = false
            do {
                _ = try await database.withTransaction { connection in
                    try await connection.guardedQuery("SELECT pg_terminate_backend(pg_backend_pid())", logger: logger)
                        .collect()
                }
            } catch {
                failed = true
            }
            #expect(failed)
            let poolAnswers = try await Self.poolAnswers(database, logger: logger)
            #expect(poolAnswers, "the next lease answers")
        }
    }

    /// Whether the very next lease answers. Until the pool has processed the close, it may lend the closed
    /// connection once more; `withConnection` then leases another instead of failing.
    private static func poolAnswers(_ database: MinhuDatabase, logger: Logger) async throws -> Bool {
        let one = try await database.withConnection { connection in
            try await connection.guardedQuery("SELECT 1", logger: logger).collect().first?.decode(Int.self)
        }
        return one == 1
    }
}
