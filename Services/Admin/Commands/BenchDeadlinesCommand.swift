import ArgumentParser
import Foundation
import Logging
import MinhuModels
import MinhuService
import MinhuStorage

/// `minhu bench deadlines`: fills `deadline_clocks` with N running clocks whose `next_check_at` is spread over 30
/// days (a few hundred of them due now), then times the watcher's "what is due" query (`SELECT … WHERE state =
/// 'running' AND next_check_at <= now … LIMIT 500 FOR UPDATE SKIP LOCKED`, the partial index) and prints the
/// milliseconds and the plan's index. Needs `MINHU_DATABASE_URL` (migrated, a role that may write the table);
/// removes its rows afterwards (they use case numbers `BENCH-…`).
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
            try await database.withConnection { connection in
                try await connection.guardedQuery("DELETE FROM deadline_clocks WHERE case_number LIKE 'BENCH-%'", logger: logger)
                let start = ContinuousClock.now
                // Server-side generation in batches of 100,000 rows: the first `due` rows are due in the past
                // minute, the rest spread over the next 30 days.
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
                let fill = (ContinuousClock.now - start)
                print("deadlines: inserted \(total) running clocks in \(fill)")
            }
            var timings: [Double] = []
            var found = 0
            for _ in 0..<max(1, repeats) {
                let (elapsed, count) = try await database.withTransaction { connection in
                    let start = ContinuousClock.now
                    let (count, _) = try await DeadlineWatcher.countDue(at: now, on: connection, logger: logger)
                    return (ContinuousClock.now - start, count)
                }
                found = count
                timings.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            }
            let plan = try await database.withConnection { connection in
                try await DeadlineWatcher.countDue(at: now, explain: true, on: connection, logger: logger).1
                    .joined(separator: "\n")
            }
            _ = try await database.withConnection { connection in
                try await connection.guardedQuery("DELETE FROM deadline_clocks WHERE case_number LIKE 'BENCH-%'", logger: logger)
            }
            let sorted = timings.sorted()
            print(String(format: "deadlines: watcher due query over %d clocks found %d due; median %.2f ms, min %.2f ms, max %.2f ms (%d runs)",
                         total, found, sorted[sorted.count / 2], sorted.first ?? 0, sorted.last ?? 0, sorted.count))
            print(plan)
        }
    }
}
