import Foundation
import Logging
import MinhuStorage
import PostgresNIO
import Synchronization
import Testing

/// Busy transactions across repeated immediate restarts of a private PostgreSQL (serial stage of scripts/test).
///
/// Before `guardedQuery`, a statement sent on a connection that had just closed was dropped by the driver and its
/// caller waited for ever: with 14 workers, every one of them was stuck within 8 restarts, and the process could
/// not even be cancelled (see `ConnectionCloseWatch`).
@Suite("Fault: PostgreSQL restarted again and again under load", .serialized, .enabled(if: TestDatabase.isConfigured))
struct FaultPostgresRestartLoopTests {
    let logger = TestDatabase.logger
    static let workers = 12
    static let restarts = 8

    struct RolledBack: Error {}

    @Test("every worker keeps finishing transactions (committed or failed) after each restart; none hangs")
    func workersNeverHang() async throws {
        let postgres = try await PrivatePostgres.start(port: 5797)
        var configuration = try DatabaseConfiguration(url: postgres.serverURL)
        configuration.maximumConnections = 8
        let database = MinhuDatabase(configuration: configuration, logger: logger)
        let pool = Task { try await database.run() }
        let logger = self.logger
        _ = try await database.withConnection {
            try await $0.guardedQuery("CREATE TABLE restart_loop (id bigserial PRIMARY KEY, worker int NOT NULL)",
                                      logger: logger)
        }
        let progress = WorkerProgress(count: Self.workers)
        // Unstructured on purpose: a stuck worker must fail this test, not hang it.
        var tasks = (0..<Self.workers).map { worker in
            Task {
                var round = 0
                while !Task.isCancelled {
                    round += 1
                    let rollBack = round % 3 == 0
                    _ = try? await database.withTransaction { connection in
                        try await connection.guardedQuery("INSERT INTO restart_loop (worker) VALUES (\(worker))",
                                                          logger: logger)
                        try await connection.guardedQuery("SELECT pg_sleep(0.003)", logger: logger)
                        if rollBack { throw RolledBack() }
                    }
                    progress.finished(worker)
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 0...10)))
                }
            }
        }
        // A connection held by LISTEN, like the outbox relay's.
        tasks.append(Task {
            while !Task.isCancelled {
                try? await database.withConnection { connection in
                    try await connection.listen(on: "restart_loop") { notifications in
                        for try await _ in notifications {}
                    }
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        })

        var allProgressed = true
        for restart in 1...Self.restarts {
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_000)))
            try await postgres.crash()
            try await postgres.start()
            let before = progress.snapshot()
            let progressed = try await eventually(timeout: .seconds(60)) { progress.idle(since: before).isEmpty }
            #expect(progressed, "restart \(restart): workers \(progress.idle(since: before)) finished nothing for 60 s")
            if !progressed {
                allProgressed = false
                break
            }
        }
        for task in tasks { task.cancel() }
        if allProgressed {
            for task in tasks { _ = await task.result }
            let committed = try await database.withConnection { connection in
                try await connection.guardedQuery("SELECT count(*) FROM restart_loop", logger: logger).collect()
            }
            #expect(try committed.first?.decode(Int.self) ?? 0 > 0)
            pool.cancel()
            _ = await pool.result
        }
        await postgres.destroy()
    }
}

/// How many transactions each worker has finished, whatever their outcome.
final class WorkerProgress: Sendable {
    private let counts: Mutex<[Int]>

    init(count: Int) { counts = Mutex(Array(repeating: 0, count: count)) }

    func finished(_ worker: Int) { counts.withLock { $0[worker] += 1 } }

    func snapshot() -> [Int] { counts.withLock { $0 } }

    /// The workers that have finished nothing since `before` (a ``snapshot()``).
    func idle(since before: [Int]) -> [Int] {
        zip(snapshot(), before).enumerated().filter { $0.element.0 <= $0.element.1 }.map(\.offset)
    }
}
