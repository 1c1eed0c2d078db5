import ArgumentParser

/// `minhu`: the operator's command line (migrations, topology, messages, calendar, classifier, benchmarks…).
/// Commands that only read files (classify, hotspots, calendar) need no servers.
@main
struct MinhuCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minhu",
        abstract: "Minhu (民呼) operations: migrations, topology, messages, calendar, classifier, benchmarks.",
        subcommands: [
            MigrateCommand.self,
            TopologyCommand.self,
            MessagesCommand.self,
            CalendarCommand.self,
            DeadlinesCommand.self,
            KeysCommand.self,
            DeputiesCommand.self,
            PruneCommand.self,
            ChannelCommand.self,
            ClassifierCommand.self,
            HotspotsCommand.self,
            DemoCommand.self,
            BenchCommand.self,
        ])
}
