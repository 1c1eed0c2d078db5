import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
import PostgresNIO
import Testing

/// Tests that crash a private PostgreSQL (serial stage of scripts/test).
@Suite("Fault: PostgreSQL restarted in immediate mode", .serialized, .enabled(if: TestDatabase.isConfigured))
struct FaultPostgresTests {
    let logger = TestDatabase.logger

    @Test("pool, relay LISTEN and relay recover without a process restart; nothing lost, nothing applied twice")
    func postgresImmediateRestart() async throws {
        let postgres = try await PrivatePostgres.start(port: 5795)
        var configuration = try DatabaseConfiguration(url: postgres.serverURL)
        configuration.maximumConnections = 8
        try await TestBroker.withVhost { url in
            try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: url)
            let database = MinhuDatabase(configuration: configuration, logger: logger)
            let publisher = AMQPPublisher(url: url, logger: logger)
            let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake", logger: logger)
            let consumer = MessageConsumerService(
                consumer: AMQPConsumer(url: url, queue: "dispatcher.events", prefetch: 50, logger: logger),
                consumerName: "dispatcher.events", producer: "minhu-dispatcher", handler: EffectHandler(),
                database: database, deadLetters: publisher, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await database.run() }
                _ = try await Migrator(database: database, logger: logger).migrate()
                _ = try await database.withConnection { try await $0.guardedQuery(EffectHandler.createTable, logger: logger) }
                group.addTask { try await relay.run() }
                group.addTask { try await consumer.run() }

                let first = OutboxFixtures.events(1...20)
                try await OutboxFixtures.append(first, to: database, logger: logger)
                try await expectEventually(timeout: .seconds(120)) { try await effectCount(database) == 20 }

                try await postgres.crash()
                try await postgres.start()
                // The pool hands out fresh connections once the server is back.
                try await expectEventually(timeout: .seconds(60)) { await database.health().isReady }
                let second = OutboxFixtures.events(21...40)
                var appended = false
                _ = try await eventually(timeout: .seconds(120)) {
                    appended = (try? await OutboxFixtures.append(second, to: database, logger: logger)) != nil
                    return appended
                }
                #expect(appended)
                try await expectEventually(timeout: .seconds(60), "the relay and the consumer recovered") { try await effectCount(database) == 40 }

                // An event published a second time (same message id) has no second effect.
                let outcomes = try await publisher.publish([first[0]])
                #expect(outcomes == [.confirmed])
                try await expectEventually {
                    try await OutboxFixtures.inboxCount(consumer: "dispatcher.events", database: database,
                                                        logger: logger) == 40
                }
                try await Task.sleep(for: .milliseconds(500))
                let counts = try await database.withConnection { try await EffectHandler.counts($0, logger: logger) }
                #expect(counts == Dictionary(uniqueKeysWithValues: (1...40).map { ($0, 1) }))
                group.cancelAll()
            }
            await publisher.shutdown()
        }
        await postgres.destroy()
    }

    private func effectCount(_ database: MinhuDatabase) async throws -> Int {
        guard let counts = try? await database.withConnection({ try await EffectHandler.counts($0, logger: logger) }) else {
            return -1
        }
        return counts.count
    }
}
