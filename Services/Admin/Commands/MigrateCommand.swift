import ArgumentParser
import Foundation
import Logging
import MinhuStorage

/// `minhu migrate`: applies the numbered SQL migrations under an advisory lock and loads the reference data the
/// project ships into empty reference tables. Reads `MINHU_DATABASE_URL` (a role that may create tables and
/// roles).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply database migrations and load reference data.")

    @Flag(help: "Only print which migrations are applied and pending.")
    var status = false

    func run() async throws {
        let logger = CommandSupport.logger("minhu-migrate")
        let configuration = try CommandSupport.databaseConfiguration()
        try await CommandSupport.withDatabase(configuration, logger: logger) { database in
            let migrator = try Migrator(database: database, logger: logger)
            if status {
                for entry in try await migrator.status() {
                    print("\(entry.version)\t\(entry.name)\t\(entry.state.rawValue)")
                }
                return
            }
            let report = try await migrator.migrate()
            for entry in report.applied { print("applied \(entry.version) \(entry.name)") }
            print("schema version \(report.version)")
            print("reference data: \(report.referenceData)")
        }
    }
}
