import ArgumentParser

struct BenchTextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "text")
}
