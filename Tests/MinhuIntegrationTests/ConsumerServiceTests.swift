import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
import PostgresNIO
import Testing

@Suite("Consumer service on the real broker and database", .enabled(if: TestDatabase.isConfigured))
struct ConsumerServiceTests {
    let logger = TestDatabase.logger
    let queue = "dispatcher.events"

    func message(_ body: String, id: UUID = UUID()) -> OutgoingMessage {
        OutgoingMessage(messageID: id, exchange: MinhuTopology.events, routingKey: "appeal.received",
                        type: "appeal.received", timestamp: Date(), appID: "test", body: Data(body.utf8))
    }

    /// The effects table of `EffectHandler` in `database`, and the topology in `url`'s vhost.
    func prepare(_ url: AMQPURL, _ database: MinhuDatabase) async throws {
        _ = try await database.withConnection { try await $0.guardedQuery(EffectHandler.createTable, logger: logger) }
        try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: url)
    }

    func makeService(url: AMQPURL, database: MinhuDatabase, publisher: AMQPPublisher,
                     afterCommit: (@Sendable ([AMQPDelivery]) async -> Void)? = nil) -> MessageConsumerService<EffectHandler> {
        let consumer = AMQPConsumer(url: url, queue: queue, prefetch: 50, logger: logger)
        return MessageConsumerService(consumer: consumer, consumerName: queue, producer: "minhu-dispatcher",
                                      handler: EffectHandler(), database: database, deadLetters: publisher,
                                      logger: logger, afterCommit: afterCommit)
    }

    @Test("a consumer killed between its commit and its ack: the redelivered message is skipped by the inbox")
    func killedBetweenCommitAndAck() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withDatabase { database in
                try await prepare(url, database)
                let publisher = AMQPPublisher(url: url, logger: logger)
                let outcomes = try await publisher.publish((1...20).map { message("{\"n\": \($0)}") })
                #expect(allConfirmed(outcomes))

                // First consumer: commits its first batch, then "dies" before acking (its connection closes).
                let killed = Locked(false)
                let firstConsumer = AMQPConsumer(url: url, queue: queue, prefetch: 50, logger: logger)
                let crashing = MessageConsumerService(
                    consumer: firstConsumer, consumerName: queue, producer: "minhu-dispatcher", handler: EffectHandler(),
                    database: database, deadLetters: publisher, logger: logger,
                    afterCommit: { _ in
                        killed.withLock { $0 = true }
                        await firstConsumer.shutdown()
                    })
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { try? await crashing.run() }
                    _ = try? await eventually { killed.withLock { $0 } }
                    group.cancelAll()
                }
                let afterCrash = try await database.withConnection { try await EffectHandler.counts($0, logger: logger) }
                #expect(!afterCrash.isEmpty, "the first consumer committed something")

                // Second consumer: gets the unacked messages again; the inbox skips those already applied.
                let second = makeService(url: url, database: database, publisher: publisher)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await second.run() }
                    let done = try await eventually {
                        let counts = try await database.withConnection { try await EffectHandler.counts($0, logger: logger) }
                        return counts.count == 20
                    }
                    #expect(done)
                    try await expectEventually("every redelivery was acked") {
                        (try await TopologyDeclarer.status(of: [queue], url: url))[queue]?.messages == 0
                    }
                    group.cancelAll()
                }
                let counts = try await database.withConnection { try await EffectHandler.counts($0, logger: logger) }
                #expect(counts == Dictionary(uniqueKeysWithValues: (1...20).map { ($0, 1) }), "one effect per message")
                await publisher.shutdown()
            }
        }
    }

    @Test("a message without a UUID message_id or a schema_version: its dead letter keeps the id, says version 1")
    func deadLetterOfAForeignMessage() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withDatabase { database in
                try await prepare(url, database)
                try await TestBroker.fromEnvironment().publishRaw(
                    vhost: url.vhost, exchange: MinhuTopology.events, routingKey: "appeal.received",
                    properties: ["message_id": "legacy-42", "type": "appeal.received"],
                    payload: "{\"n\": 1}")
                let publisher = AMQPPublisher(url: url, logger: logger)
                let service = makeService(url: url, database: database, publisher: publisher)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await service.run() }
                    try await expectEventually {
                        let status = try await TopologyDeclarer.status(of: ["dead.\(queue)"], url: url)
                        return status["dead.\(queue)"]?.messages == 1
                    }
                    group.cancelAll()
                }
                let letters = try await DeadLetterReader.read(queue: "dead.\(queue)", count: 1, url: url)
                let dead = try #require(letters.first)
                await publisher.shutdown()
                #expect(dead.properties.headers["x-minhu-error"]?.contains("message_id") == true)
                #expect(dead.properties.headers["x-minhu-original-message-id"] == "legacy-42")
                #expect(dead.messageID != nil)
                // Missing means 1: a replay of the copy is read as version 1, not refused as version 0.
                #expect(dead.properties.schemaVersion == 1)
            }
        }
    }

    @Test("a malformed message lands in the dead-letter queue with its reason; the next good one is processed")
    func malformedIsDeadLettered() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withDatabase { database in
                try await prepare(url, database)
                let publisher = AMQPPublisher(url: url, logger: logger)
                let bad = message("{not json")
                _ = try await publisher.publish([bad, message("{\"n\": 7}")])
                let service = makeService(url: url, database: database, publisher: publisher)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await service.run() }
                    try await expectEventually {
                        try await database.withConnection { try await EffectHandler.counts($0, logger: logger) } == [7: 1]
                    }
                    group.cancelAll()
                }
                let dead = try await DeadLetterReader.read(queue: "dead.\(queue)", count: 1, url: url)
                #expect(dead.count == 1)
                #expect(dead.first?.messageID == bad.messageID)
                #expect(dead.first?.body == bad.body)
                #expect(dead.first?.properties.headers["x-minhu-error"]?.contains("body is not") == true)
                await publisher.shutdown()
            }
        }
    }

    @Test("a dead letter that cannot be sent at once is tried again, and lands with its reason")
    func deadLetterRetried() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withDatabase { database in
                _ = try await database.withConnection {
                    try await $0.guardedQuery(EffectHandler.createTable, logger: logger)
                }
                let topology = MinhuTopology.make(departments: [], channels: [])
                try await TopologyDeclarer.declare(topology, url: url)
                // The dead-letter queue is missing for a moment (deleted by mistake, redeclared by an operator):
                // the copies come back unroutable.
                try await TestBroker.fromEnvironment().management("DELETE", "/api/queues/\(url.vhost)/dead.\(queue)",
                                                                  body: nil)
                let publisher = AMQPPublisher(url: url, logger: logger)
                let bad = message("{not json")
                _ = try await publisher.publish([bad])
                let service = makeService(url: url, database: database, publisher: publisher)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await service.run() }
                    try await Task.sleep(for: .seconds(1.5))
                    try await TopologyDeclarer.declare(topology, url: url)
                    // (It used to be requeued at once, five times in a few milliseconds, and then dead-lettered by
                    // the broker into the missing queue: lost.)
                    let dead = try await DeadLetterReader.read(queue: "dead.\(queue)", count: 1, url: url,
                                                               timeout: .seconds(30))
                    #expect(dead.first?.messageID == bad.messageID)
                    #expect(dead.first?.properties.headers["x-minhu-error"]?.contains("body is not") == true)
                    group.cancelAll()
                }
                await publisher.shutdown()
            }
        }
    }

    @Test("a refused message of a connection that dropped while it waited is dead-lettered once, from its redelivery")
    func staleRefusalDeadLetteredOnce() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withDatabase { database in
                try await prepare(url, database)
                let broker = try TestBroker.fromEnvironment()
                let publisher = AMQPPublisher(url: url, logger: logger)
                _ = try await publisher.publish([message("{\"n\": 1}")])
                // The first batch's processing is held after its commit while a bad message arrives behind it and
                // the consumer's connection is closed (a network blip): the bad message is redelivered on the new
                // connection and waits twice, once per connection.
                let held = Locked(true), committed = Locked(false)
                let name = "stale-\(UUID().uuidString.prefix(8))"
                let consumer = AMQPConsumer(url: url, queue: queue, prefetch: 50,
                                            options: AMQPConnectionOptions(connectionName: name), logger: logger)
                let service = MessageConsumerService(
                    consumer: consumer, consumerName: queue, producer: "minhu-dispatcher", handler: EffectHandler(),
                    database: database, deadLetters: publisher, logger: logger,
                    afterCommit: { _ in
                        committed.withLock { $0 = true }
                        while held.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(50)) }
                    })
                let bad = message("{not json")
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await service.run() }
                    try await expectEventually { committed.withLock { $0 } }
                    _ = try await publisher.publish([bad])
                    try await Task.sleep(for: .seconds(1))
                    let generation = consumer.connectionGeneration
                    // (The management API lists a connection once its statistics are in: wait for it.)
                    try await expectEventually(timeout: .seconds(30)) {
                        let data = try await broker.management("GET", "/api/connections", body: nil)
                        let connections = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
                        var closed = false
                        for connection in connections {
                            let properties = connection["client_properties"] as? [String: Any]
                            guard properties?["connection_name"] as? String == name,
                                  let id = connection["name"] as? String else { continue }
                            let path = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
                            _ = try await broker.management("DELETE", "/api/connections/\(path)", body: nil)
                            closed = true
                        }
                        return closed
                    }
                    try await expectEventually(timeout: .seconds(30)) { consumer.connectionGeneration > generation }
                    try await Task.sleep(for: .seconds(1))
                    held.withLock { $0 = false }
                    try await expectEventually(timeout: .seconds(30)) {
                        (try await TopologyDeclarer.status(of: [queue], url: url))[queue]?.messages == 0
                    }
                    group.cancelAll()
                }
                // (Twice before 2026-11-24: the stale delivery's copy, whose ack went nowhere, and the redelivery's.)
                try await Task.sleep(for: .seconds(1))
                #expect((try await TopologyDeclarer.status(of: ["dead.\(queue)"], url: url))["dead.\(queue)"]?.messages
                        == 1)
                let dead = try await DeadLetterReader.read(queue: "dead.\(queue)", count: 1, url: url)
                #expect(dead.map(\.messageID) == [bad.messageID])
                await publisher.shutdown()
            }
        }
    }

    @Test("deadlocks are retried in place, not counted against the delivery limit")
    func deadlocksAreRetried() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withDatabase { database in
                try await prepare(url, database)
                let publisher = AMQPPublisher(url: url, logger: logger)
                _ = try await publisher.publish([message("{\"n\": 3}")])
                // Twelve deadlocks in a row: two per delivery would have sent it past the limit of 5 (it was
                // requeued after each one that met a database that answered).
                let handler = DeadlockingHandler(failures: 12)
                let consumer = AMQPConsumer(url: url, queue: queue, prefetch: 50, logger: logger)
                let service = MessageConsumerService(consumer: consumer, consumerName: queue,
                                                     producer: "minhu-dispatcher", handler: handler,
                                                     database: database, deadLetters: publisher, logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await service.run() }
                    try await expectEventually(timeout: .seconds(90)) {
                        try await database.withConnection {
                            try await EffectHandler.counts($0, logger: logger)
                        } == [3: 1]
                    }
                    group.cancelAll()
                }
                #expect(handler.failures.withLock { $0 } == 0)
                let status = try await TopologyDeclarer.status(of: ["dead.\(queue)"], url: url)
                #expect(status["dead.\(queue)"]?.messages == 0)
                await publisher.shutdown()
            }
        }
    }

    @Test("a message that fails every time ends, after the delivery limit, in dead.<queue>")
    func crashLoopEndsInDeadLetters() async throws {
        try await TestBroker.withVhost { url in
            try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: url)
            let publisher = AMQPPublisher(url: url, logger: logger)
            let poison = message("{\"n\": -1}")
            _ = try await publisher.publish([poison])
            await publisher.shutdown()
            // Each consumer takes the message and dies without acking, as a crashing process would.
            var deliveries = 0
            for _ in 0..<Int(MinhuTopology.deliveryLimit) + 1 {
                let consumer = AMQPConsumer(url: url, queue: queue, prefetch: 1, logger: logger)
                let got = await withTaskGroup(of: Bool.self) { group in
                    group.addTask {
                        for await _ in consumer.batches { return true }
                        return false
                    }
                    group.addTask {
                        try? await Task.sleep(for: .seconds(3))
                        return false
                    }
                    let first = await group.next() ?? false
                    group.cancelAll()
                    return first
                }
                await consumer.shutdown()
                if got { deliveries += 1 } else { break }
            }
            #expect(deliveries == Int(MinhuTopology.deliveryLimit) + 1 || deliveries == Int(MinhuTopology.deliveryLimit))
            let dead = try await DeadLetterReader.read(queue: "dead.\(queue)", count: 1, url: url)
            #expect(dead.first?.messageID == poison.messageID)
            let remaining = try await TopologyDeclarer.status(of: [queue], url: url)
            #expect(remaining[queue]?.messages == 0)
        }
    }
}

/// Reads (and acks) up to `count` messages from a dead-letter queue, waiting up to `timeout`.
enum DeadLetterReader {
    static func read(queue: String, count: Int, url: AMQPURL, timeout: Duration = .seconds(60)) async throws -> [AMQPDelivery] {
        let consumer = AMQPConsumer(url: url, queue: queue, prefetch: 100, logger: Logger(label: "dead-reader"))
        let result = await withTaskGroup(of: [AMQPDelivery]?.self) { group in
            group.addTask {
                var got: [AMQPDelivery] = []
                for await batch in consumer.batches {
                    got.append(contentsOf: batch)
                    await consumer.ack(batch.last!, multiple: true)
                    if got.count >= count { break }
                }
                return got
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? []
        }
        await consumer.shutdown()
        return result
    }
}

/// `EffectHandler` whose first `failures` transactions end in a deadlock (SQLSTATE 40P01), raised by the server.
struct DeadlockingHandler: MessageHandler {
    let failures: Locked<Int>
    let effects = EffectHandler()

    init(failures: Int) { self.failures = Locked(failures) }

    func decode(_ delivery: AMQPDelivery) throws -> EffectHandler.Body { try effects.decode(delivery) }

    func apply(_ messages: [EffectHandler.Body], on connection: PostgresConnection,
               logger: Logger) async throws -> [OutgoingMessage] {
        let fail = failures.withLock { left -> Bool in
            guard left > 0 else { return false }
            left -= 1
            return true
        }
        if fail {
            try await connection.guardedQuery(
                "DO $$ BEGIN RAISE EXCEPTION 'simulated deadlock' USING ERRCODE = '40P01'; END $$", logger: logger)
        }
        return try await effects.apply(messages, on: connection, logger: logger)
    }
}
