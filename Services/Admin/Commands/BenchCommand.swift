import ArgumentParser

/// `minhu bench …`: benchmarks that print figures (run them on a release build: `scripts/bench`).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks (release build recommended; see scripts/bench).",
        subcommands: [BenchAMQPCommand.self, BenchRelayCommand.self, BenchIntakeAMQPCommand.self, BenchCalendarCommand.self, BenchTextCommand.self,
                      BenchDeadlinesCommand.self])
}
