import ArgumentParser
import Foundation
import Logging
import MinhuModels
import MinhuService
import MinhuStorage
import PostgresNIO

/// `minhu bench deadlines`: fills `deadline_clocks` with N running clocks whose `next_check_at` is spread over 30
/// days (a few hundred of them due now), then times the watcher's "what is due" query (`SELECT … WHERE state =
/// 'running' AND next_check_at <= now … LIMIT 500 FOR UPDATE SKIP LOCKED`, the partial index) and prints the
/// milliseconds and the plan's index. Needs `MINHU_DATABASE_URL` (migrated, a role that may write the table). All of
/// it runs in one transaction that is rolled back: the clocks (case numbers `BENCH-…`) are never committed.
struct BenchDeadlinesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deadlines",
                                                    abstract: "Watcher tick query over many open clocks.")

    @Option(help: "Running clocks to insert.") var clocks = 1_000_000
    @Option(help: "How many of them are due at the time of the query.") var due = 300
    @Option(help: "Timed repetitions of the query.") var repeats = 5

    func run() async throws {
        let logger = CommandSupport.logger("minhu-bench")
        let configuration = try CommandSupport.databaseConfiguration()
        let (total, dueCount, repeats) = (clocks, due, self.repeats)
        try await CommandSupport.withDatabase(configuration, logger: logger) { database in
            let now = Date()
            // One transaction, rolled back at the end (or on any failure): the bench clocks are never visible to
            // a minhu-deadlines watcher running on the same database, and nothing is left behind.
            let (timings, found, plan) = try await database.withConnection { connection in
                try await connection.guardedQuery("BEGIN", logger: logger)
                do {
                    let result = try await Self.measure(total: total, dueCount: dueCount, repeats: repeats, now: now,
                                                        on: connection, logger: logger)
                    try await connection.guardedQuery("ROLLBACK", logger: logger)
                    return result
                } catch {
                    _ = try? await connection.guardedQuery("ROLLBACK", logger: logger)
                    throw error
                }
            }
            let sorted = timings.sorted()
            print(String(format: "deadlines: watcher due query over %d clocks found %d due; median %.2f ms, min %.2f ms, max %.2f ms (%d runs)",
                         total, found, sorted[sorted.count / 2], sorted.first ?? 0, sorted.last ?? 0, sorted.count))
            print(plan)
        }
    }

    /// Inserts the clocks and times the watcher's query, inside the caller's transaction: (timings in ms, rows the
    /// last query found, the plan).
    static func measure(total: Int, dueCount: Int, repeats: Int, now: Date, on connection: PostgresConnection,
                        logger: Logger) async throws -> ([Double], Int, String) {
        let start = ContinuousClock.now
        // Server-side generation in batches of 100,000 rows: the first `due` rows are due in the past minute, the
        // rest spread over the next 30 days.
        var inserted = 0
        while inserted < total {
            let count = min(100_000, total - inserted)
            let first = inserted
            try await connection.guardedQuery("""
                INSERT INTO deadline_clocks (appeal_id, round, attempt, clock, case_number, department, policy,
                    limit_spec, started_at, window_start, due_at, next_check_at)
                SELECT gen_random_uuid(), 1, 1, 'reply', 'BENCH-' || g, 'bench', 'ordinary',
                    '{"workingDays": 5}'::jsonb, \(now) - interval '1 day', \(now) - interval '1 day',
                    \(now) + interval '30 days',
                    CASE WHEN g < \(dueCount) THEN \(now) - (g || ' ms')::interval
                         ELSE \(now) + ((g % 2592000) || ' s')::interval + interval '1 s' END
                FROM generate_series(\(first), \(first + count - 1)) AS g
                """, logger: logger)
            inserted += count
        }
        try await connection.guardedQuery("ANALYZE deadline_clocks", logger: logger)
        print("deadlines: inserted \(total) running clocks in \(ContinuousClock.now - start) (not committed)")
        var timings: [Double] = []
        var found = 0
        for _ in 0..<max(1, repeats) {
            let began = ContinuousClock.now
            let (count, _) = try await DeadlineWatcher.countDue(at: now, on: connection, logger: logger)
            let elapsed = ContinuousClock.now - began
            found = count
            timings.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        let plan = try await DeadlineWatcher.countDue(at: now, explain: true, on: connection, logger: logger).1
            .joined(separator: "\n")
        return (timings, found, plan)
    }
}
