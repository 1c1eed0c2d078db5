import ArgumentParser
import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuStorage

/// `minhu bench relay`: appends N events to the outbox (producer `minhu-bench`), then times the outbox relay
/// publishing them all to the broker with confirms and marking them published. Needs `MINHU_DATABASE_URL`
/// (migrated) and `MINHU_AMQP_URL`; removes its rows afterwards.
struct BenchRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "relay", abstract: "Outbox relay throughput.")

    @Option(help: "Events to relay.") var events = 50_000
    @Option(help: "Rows claimed per relay round.") var batchSize = 1000
    @Option(help: "Body size in bytes.") var size = 512

    func run() async throws {
        let url = try CommandSupport.brokerURL()
        let logger = CommandSupport.logger("minhu-bench")
        let queue = "bench.relay"
        try await TopologyDeclarer.declare(
            Topology(exchanges: [], queues: [.init(name: queue, arguments: ["x-queue-type": .string("quorum")], bindings: [])]),
            url: url)
        let databaseConfiguration = try CommandSupport.databaseConfiguration()
        let (events, batchSize, size) = (self.events, self.batchSize, self.size)
        let seconds = try await CommandSupport.withDatabase(databaseConfiguration, logger: logger) { database in
            let producer = "minhu-bench"
            func removeRows() async throws {
                _ = try await database.withConnection {
                    try await $0.guardedQuery("DELETE FROM outbox WHERE producer = \(producer)", logger: logger)
                }
            }
            try await removeRows()
            do {
                let elapsed = try await Self.relay(events: events, batchSize: batchSize, size: size, producer: producer,
                                                   queue: queue, url: url, database: database, logger: logger)
                try await removeRows()
                return elapsed
            } catch {
                // Its rows go whatever failed, so that none is left in the outbox.
                try? await removeRows()
                throw error
            }
        }
        print(String(format: "relay: %d events in %.2f s = %.0f events/s (batch %d, confirmed, marked published)",
                     events, seconds, Double(events) / seconds, batchSize))
    }

    /// Appends `events` rows of `producer` and times one relay flush of them; the caller removes the rows.
    static func relay(events: Int, batchSize: Int, size: Int, producer: String, queue: String, url: AMQPURL,
                      database: MinhuDatabase, logger: Logger) async throws -> Double {
            let body = Data(("{\"pad\":\"" + String(repeating: "x", count: max(0, size - 10)) + "\"}").utf8)
            let now = Date()
            var appended = 0
            while appended < events {
                let count = min(5000, events - appended)
                let messages = (0..<count).map { _ in
                    OutgoingMessage(exchange: "", routingKey: queue, type: "bench", timestamp: now, appID: producer, body: body)
                }
                try await database.withTransaction { connection in
                    try await OutboxWriter.append(messages, producer: producer, on: connection, logger: logger)
                }
                appended += count
            }
            let publisher = AMQPPublisher(url: url, options: .init(connectionName: "bench-relay"), logger: logger)
            try await publisher.connect()
            let relay = OutboxRelay(database: database, publisher: publisher, producer: producer,
                                    configuration: .init(batchSize: batchSize), logger: logger)
            let start = ContinuousClock.now
            let round = try await relay.flush()
            let elapsed = (ContinuousClock.now - start).seconds
            await publisher.shutdown()
            guard round.published == events else {
                throw CommandFailure("published \(round.published) of \(events)")
            }
            return elapsed
    }
}
