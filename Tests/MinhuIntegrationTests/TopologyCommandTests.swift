import Foundation
import MinhuStorage
import Testing

/// `minhu topology show|declare --departments-from-database`: a dept.<code> queue for every active department of
/// the table (what compose's `migrate` declares), against a real database.
@Suite(.enabled(if: TestDatabase.isConfigured, "MINHU_TEST_DATABASE_URL is not set"))
struct TopologyCommandTests {
    /// Runs `minhu` with `arguments` and `MINHU_DATABASE_URL`; returns (exit status, output).
    static func minhu(_ arguments: [String], databaseURL: String) async throws -> (Int32?, String) {
        try await ChildProcess.with("minhu", arguments: arguments,
                                    environment: ["PATH": "/usr/bin:/bin", "MINHU_DATABASE_URL": databaseURL]) {
            (await $0.waitForExit(timeout: .seconds(120)), $0.log)
        }
    }

    @Test("--departments-from-database adds every active department's queue, and those given, once each")
    func departmentsFromDatabase() async throws {
        try await TestDatabase.withConfiguration { configuration in
            try await TestDatabase.withRunningDatabase(configuration) { database in
                _ = try await StorageFixtures.integer("""
                    WITH changed AS (
                        INSERT INTO departments (code, name) VALUES ('river-office', '市河长办'), ('old-bureau', '旧局')
                        RETURNING 1)
                    SELECT count(*) FROM changed
                    """, on: database)
                _ = try await StorageFixtures.integer("""
                    WITH changed AS (UPDATE departments SET active = false WHERE code = 'old-bureau' RETURNING 1)
                    SELECT count(*) FROM changed
                    """, on: database)
            }
            let (status, output) = try await Self.minhu(
                ["topology", "show", "--departments-from-database", "--departments", "extra-unit,housing"],
                databaseURL: configuration.testURL)
            #expect(status == 0, "\(output)")
            let queues = output.split(separator: "\n").filter { $0.hasPrefix("queue\tdept.") }
                .map { String($0.split(separator: "\t")[1]) }
            // The shipped sample city's 31 departments, the one added, the one given; not the inactive one.
            #expect(queues.contains("dept.river-office") && queues.contains("dept.a9-gov"), "\(queues)")
            #expect(queues.contains("dept.extra-unit"))
            #expect(!queues.contains("dept.old-bureau"))
            #expect(queues.filter { $0 == "dept.housing" }.count == 1)
            #expect(queues.count == 33, "\(queues.count) dept queues")
        }
    }

    @Test("--departments-from-database without a database URL fails naming the key, and declares nothing")
    func departmentsFromDatabaseNeedsTheURL() async throws {
        let (status, output) = try await ChildProcess.with(
            "minhu", arguments: ["topology", "show", "--departments-from-database"],
            environment: ["PATH": "/usr/bin:/bin"]) { (await $0.waitForExit(timeout: .seconds(60)), $0.log) }
        #expect(status == 1 && output.contains("MINHU_DATABASE_URL is required"), "\(output)")
        #expect(!output.contains("queue\t"))
    }
}
