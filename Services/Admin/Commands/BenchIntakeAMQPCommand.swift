import ArgumentParser
import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuStorage

/// `minhu bench intake-amqp`: publishes N `<channel>.appeal` messages as the integrator `integrator.<channel>`
/// (with confirms) and times them until minhu-intake (running separately, e.g. started by `scripts/bench`) has
/// committed every case file: from the first publish to the last commit. Needs `MINHU_DATABASE_URL` to count.
struct BenchIntakeAMQPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "intake-amqp",
                                                    abstract: "AMQP intake throughput, publish to committed case file.")

    @Option(help: "The integrator's AMQP URL (user integrator.<channel>).") var integratorUrl: String
    @Option(help: "The channel.") var channel = "bench"
    @Option(help: "Appeals to publish.") var messages = 20_000

    func run() async throws {
        let url = try AMQPURL(parsing: integratorUrl)
        guard let channel = MinhuModels.Channel(rawValue: channel) else { throw ValidationError("invalid channel") }
        let logger = CommandSupport.logger("minhu-bench")
        let databaseConfiguration = try CommandSupport.databaseConfiguration()
        let total = messages
        let run = UUID().uuidString.prefix(8)
        let outbound = (0..<total).map { index in
            let appeal = IntakeAppeal(externalId: "bench-\(run)-\(index)", kind: .help, title: "路灯不亮",
                                      body: "樊城区人民路路灯连续三晚不亮，夜间出行不安全，请尽快维修。",
                                      submittedAt: Date(), location: Location(district: "樊城区", address: "人民路"),
                                      citizen: Citizen(name: "李四", phone: "1390013\(String(format: "%04d", index % 10_000))"))
            return try! MessageEnvelope.message(appeal, route: .intake(channel: channel, kind: .appeal),
                                                producer: "minhu-bench", at: Date(), userID: url.user)
        }
        let seconds = try await CommandSupport.withDatabase(databaseConfiguration, logger: logger) { database in
            func committed() async throws -> Int {
                try await database.withConnection { connection in
                    var count = 0
                    for try await (value) in try await connection.guardedQuery(
                        "SELECT count(*)::int FROM appeals WHERE arrival_channel = \(channel.rawValue) AND external_id LIKE \("bench-\(run)-%")",
                        logger: logger).decode(Int.self) { count = value }
                    return count
                }
            }
            let publisher = AMQPPublisher(url: url, options: .init(connectionName: "bench-intake"), logger: logger)
            try await publisher.connect()
            let start = ContinuousClock.now
            let outcomes = try await publisher.publish(outbound)
            let published = ContinuousClock.now
            await publisher.shutdown()
            let failed = outcomes.filter { if case .confirmed = $0 { return false } else { return true } }.count
            guard failed == 0 else { throw CommandFailure("\(failed) publishes were not confirmed") }
            var last = 0
            var lastChange = ContinuousClock.now
            while true {
                let count = try await committed()
                if count == total { break }
                if count != last { last = count; lastChange = .now }
                if ContinuousClock.now - lastChange > .seconds(30) {
                    throw CommandFailure("stalled at \(count) of \(total) committed: is minhu-intake running?")
                }
                // Each count reads the run's index range, which costs PostgreSQL milliseconds once tens of
                // thousands are committed, CPU taken from the pipeline being measured; every 250 ms (it was 20 ms)
                // keeps that small, and the end is known to within 2 % of a run of 15 s or more.
                try await Task.sleep(for: .milliseconds(250))
            }
            let done = ContinuousClock.now
            print(String(format: "  published and confirmed in %.2f s", (published - start).seconds))
            return (done - start).seconds
        }
        print(String(format: "amqp intake: %d appeals from publish to committed case file in %.2f s = %.0f appeals/s",
                     total, seconds, Double(total) / seconds))
    }
}
