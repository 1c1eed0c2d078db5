import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `minhu`: the operator's command line (migrations, topology, messages, calendar, classifier, benchmarks…).
/// Commands that only read files (classify, hotspots, calendar) need no servers.
@main
struct MinhuCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minhu",
        abstract: """
            Minhu (民呼) operations: migrations, topology, users, messages, dead letters, calendar, classifier, bench.
            """,
        subcommands: [
            MigrateCommand.self,
            TopologyCommand.self,
            MessagesCommand.self,
            DeadLettersCommand.self,
            CalendarCommand.self,
            DeadlinesCommand.self,
            KeysCommand.self,
            RolesCommand.self,
            DeputiesCommand.self,
            PruneCommand.self,
            ChannelCommand.self,
            ClassifierCommand.self,
            HotspotsCommand.self,
            DemoCommand.self,
            BenchCommand.self,
        ])

    /// Runs the command as `AsyncParsableCommand.main()` does, then makes sure its output was written: printed
    /// output is buffered, and a full disk or a closed pipe would otherwise end in exit status 0 with a report cut
    /// short (`minhu hotspots … > report.json`).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
        if fflush(nil) != 0 {
            let reason = String(cString: strerror(errno))
            FileHandle.standardError.write(Data("Error: cannot write the output: \(reason)\n".utf8))
            Foundation.exit(1)
        }
    }
}
