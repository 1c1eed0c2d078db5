import ArgumentParser

struct HotspotsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hotspots")
}
