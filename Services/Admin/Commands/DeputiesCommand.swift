import ArgumentParser
import Foundation
import Logging
import MinhuModels
import MinhuService
import MinhuStorage
import MinhuText

/// `minhu deputies`: the registry of people's-congress deputies (人大代表) intake recognises callers by. Reads
/// `MINHU_DATABASE_URL` (the migration role or `minhu_intake`, which may write `deputies`).
struct DeputiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deputies", abstract: "Import and list the registry of people's-congress deputies.",
        subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import deputies from a CSV file (a re-import updates, never duplicates).",
            discussion: """
                Header: name,phones,level,constituency[,active]. Phones are separated by ';', '/' or '、' and \
                normalised (+86, spaces, dashes, a leading 0). Level: national|provincial|city|county|township or \
                全国/省/市/县/乡镇. Invalid rows are reported with their line and skipped; the valid rows are \
                imported in one transaction. Exits 1 when a row was rejected.
                """)

        @Argument(help: "The CSV file.")
        var file: String

        @Flag(help: "Only check the file; write nothing.")
        var dryRun = false

        func run() async throws {
            let logger = CommandSupport.logger("minhu-deputies")
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandFailure("cannot read \(file)")
            }
            // The congress office's spreadsheet may be saved in GBK; TextFileDecoder reads it as well as UTF-8.
            let text: String
            do { text = try TextFileDecoder.decode(data, path: file).text } catch { throw CommandFailure("\(error)") }
            let parsed: DeputyRegistry.Parsed
            do { parsed = try DeputyRegistry.parse(csv: text) } catch let error as DeputyRegistry.FileError {
                throw CommandFailure("\(file): \(error.description)")
            }
            for warning in parsed.warnings { print("warning: \(warning)") }
            var rejections = parsed.rejections
            var report = DeputyRegistry.ImportReport()
            if !dryRun, !parsed.rows.isEmpty {
                let configuration = try CommandSupport.databaseConfiguration()
                let rows = parsed.rows
                report = try await CommandSupport.withDatabase(configuration, logger: logger) { database in
                    try await DeputyRegistry.importRows(rows, database: database, logger: logger)
                }
                rejections += report.rejections
            }
            for rejection in rejections.sorted(by: { $0.line < $1.line }) { print("rejected: \(rejection)") }
            if dryRun {
                print("\(parsed.rows.count) valid rows, \(rejections.count) rejected (dry run, nothing written)")
            } else {
                print("inserted \(report.inserted), updated \(report.updated), rejected \(rejections.count)")
            }
            if !rejections.isEmpty { throw ExitCode(1) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered deputies (phones masked).")

        @Flag(help: "Show the phones in full.")
        var fullPhones = false

        func run() async throws {
            let logger = CommandSupport.logger("minhu-deputies")
            let configuration = try CommandSupport.databaseConfiguration()
            let deputies = try await CommandSupport.withDatabase(configuration, logger: logger) { database in
                try await DeputyRegistry.list(database: database, logger: logger)
            }
            print(["id", "name", "level", "constituency", "phones", "active"].joined(separator: "\t"))
            for deputy in deputies {
                let phones = deputy.phones.map { fullPhones ? $0 : Citizen.maskPhone($0) }.joined(separator: ";")
                print([deputy.id.uuidString.lowercased(), deputy.name,
                       "\(deputy.level.rawValue) (\(deputy.level.chineseName))", deputy.constituency ?? "-",
                       phones, deputy.active ? "yes" : "no"].joined(separator: "\t"))
            }
            print("\(deputies.count) deputies, \(deputies.filter(\.active).count) active")
        }
    }
}
