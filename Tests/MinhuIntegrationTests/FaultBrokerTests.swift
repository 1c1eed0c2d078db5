import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
import Testing

/// Tests that stop, restart and freeze a private RabbitMQ (serial stage of scripts/test).
@Suite("Fault: broker stopped, restarted, frozen", .serialized, .enabled(if: TestDatabase.isConfigured))
struct FaultBrokerTests {
    let logger = TestDatabase.logger
    let options = AMQPConnectionOptions(heartbeatSeconds: 2, connectTimeoutSeconds: 3,
                                        reconnectBackoff: Backoff(initial: 0.2, maximum: 1))

    @Test("events appended to the outbox while RabbitMQ is stopped are delivered once it is back")
    func outboxWhileBrokerStopped() async throws {
        let broker = try await PrivateBroker.start(port: 5791)
        try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: broker.url)
        try await TestDatabase.withDatabase { database in
            try await broker.stop()
            let events = OutboxFixtures.events(1...50)
            try await OutboxFixtures.append(events, to: database, logger: logger)
            let publisher = AMQPPublisher(url: broker.url, options: options, logger: logger)
            let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake", logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await relay.run() }
                try await Task.sleep(for: .seconds(2))
                #expect(try await relay.pendingCount() == 50, "nothing can be published while the broker is down")
                try await broker.start()
                try await expectEventually(timeout: .seconds(60)) { try await relay.pendingCount() == 0 }
                group.cancelAll()
            }
            await publisher.shutdown()
            let received = try await DeadLetterReader.read(queue: "dispatcher.events", count: 50, url: broker.url)
            #expect(received.count == 50)
            #expect(Set(received.compactMap(\.messageID)) == Set(events.map(\.messageID)))
        }
        await broker.destroy()
    }

    @Test("shutdown returns while the broker stops reading (memory alarm): the blocked publish's connection is cut")
    func shutdownUnderMemoryAlarm() async throws {
        let broker = try await PrivateBroker.start(port: 5798)
        do {
            try await checkShutdownUnderMemoryAlarm(broker)
        } catch {
            await broker.destroy()
            throw error
        }
        await broker.destroy()
    }

    private func checkShutdownUnderMemoryAlarm(_ broker: PrivateBroker) async throws {
        try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: broker.url)
        let publisher = AMQPPublisher(url: broker.url, options: options, shutdownGrace: .seconds(2), logger: logger)
        try await publisher.connect()
        try await broker.setMemoryWatermark("0.0001")
        // 32 MB: more than the sockets' buffers hold, so the send blocks once the broker stops reading.
        let message = OutgoingMessage(exchange: "", routingKey: "reporting.events", type: "test", timestamp: Date(),
                                      appID: "minhu-test", body: Data(count: 32 << 20))
        let publishing = Task { try await publisher.publish([message]) }
        try await expectEventually(timeout: .seconds(60), "the broker blocked the publishing connection") {
            try await broker.connectionStates().contains("blocked")
        }
        let stopped = Locked(false)
        let started = ContinuousClock.now
        Task {
            await publisher.shutdown()
            stopped.withLock { $0 = true }
        }
        // Without the cut, shutdown waits for the broker for ever (the alarm stays on): fail, leaving it behind.
        guard try await eventually(timeout: .seconds(60), { stopped.withLock { $0 } }) else {
            Issue.record("shutdown did not return within 60 s of a blocked publish")
            return
        }
        #expect(ContinuousClock.now - started < .seconds(30))
        let outcome = await publishing.result
        #expect(throws: (any Error).self, "the cut publish fails (its outbox rows stay pending)") {
            try outcome.get()
        }
    }

    @Test("a running consumer survives a broker restart and resumes without a process restart")
    func consumerSurvivesRestart() async throws {
        let broker = try await PrivateBroker.start(port: 5792)
        let topology = MinhuTopology.make(departments: [], channels: [])
        try await TopologyDeclarer.declare(topology, url: broker.url)
        let consumer = AMQPConsumer(url: broker.url, queue: "dispatcher.events", prefetch: 50, options: options,
                                    topology: topology, logger: logger)
        let seen = Locked(Set<UUID>())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await batch in consumer.batches {
                    seen.withLock { set in for delivery in batch { if let id = delivery.messageID { set.insert(id) } } }
                    await consumer.ack(batch.last!, multiple: true)
                }
            }
            let before = OutboxFixtures.events(1...10)
            try await publishAll(before, url: broker.url)
            try await expectEventually { seen.withLock { $0.count } == 10 }
            let generation = consumer.connectionGeneration
            try await broker.stop()
            try await expectEventually { !consumer.isConnected }
            try await broker.start()
            try await expectEventually(timeout: .seconds(60)) { consumer.connectionGeneration > generation }
            let after = OutboxFixtures.events(11...20)
            try await publishAll(after, url: broker.url)
            try await expectEventually { seen.withLock { $0.isSuperset(of: Set(after.map(\.messageID))) } }
            await consumer.stopConsuming()
            group.cancelAll()
        }
        await consumer.shutdown()
        await broker.destroy()
    }

    @Test("an idle consumer notices a frozen broker within two heartbeats, reconnects after it thaws, loses nothing")
    func frozenBroker() async throws {
        let broker = try await PrivateBroker.start(port: 5793)
        let topology = MinhuTopology.make(departments: [], channels: [])
        try await TopologyDeclarer.declare(topology, url: broker.url)
        let consumer = AMQPConsumer(url: broker.url, queue: "dispatcher.events", prefetch: 50, options: options,
                                    topology: topology, logger: logger)
        let seen = Locked(Set<UUID>())
        let holdAcks = Locked(true)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await batch in consumer.batches {
                    seen.withLock { set in for delivery in batch { if let id = delivery.messageID { set.insert(id) } } }
                    // Deliveries of the first connection stay unacked: after the freeze they must come back.
                    if !holdAcks.withLock({ $0 }) { await consumer.ack(batch.last!, multiple: true) }
                }
            }
            let before = OutboxFixtures.events(1...5)
            try await publishAll(before, url: broker.url)
            try await expectEventually { seen.withLock { $0.count } == 5 }
            seen.withLock { $0.removeAll() }
            holdAcks.withLock { $0 = false }
            let generation = consumer.connectionGeneration
            try await broker.freeze()
            let frozenAt = ContinuousClock.now
            try await expectEventually(timeout: .seconds(120)) { !consumer.isConnected }
            let noticedAfter = ContinuousClock.now - frozenAt
            #expect(noticedAfter < .seconds(2 * 2 + 3), "noticed after \(noticedAfter)")
            try await broker.thaw()
            try await expectEventually(timeout: .seconds(60)) { consumer.connectionGeneration > generation }
            let after = OutboxFixtures.events(6...10)
            try await publishAll(after, url: broker.url)
            let all = Set((before + after).map(\.messageID))
            try await expectEventually(timeout: .seconds(120), "the unacked deliveries came back and the new ones arrived") { seen.withLock { $0.isSuperset(of: all) } }
            await consumer.stopConsuming()
            group.cancelAll()
        }
        await consumer.shutdown()
        await broker.destroy()
    }

    @Test("/health turns not-ready while the broker is down and ready again after")
    func healthFollowsBroker() async throws {
        let broker = try await PrivateBroker.start(port: 5794)
        try await TestDatabase.withConfiguration { databaseConfiguration in
            let environment = [
                "MINHU_DATABASE_URL": databaseConfiguration.testURL, "MINHU_AMQP_URL": broker.url.testURL,
                "MINHU_HTTP_HOST": "127.0.0.1", "MINHU_HTTP_PORT": "0", "MINHU_AMQP_HEARTBEAT": "2",
            ]
            let configuration = try ServiceConfiguration.fromEnvironment(environment, serviceName: "reporting")
            let runtime = ServiceRuntime.build(configuration: configuration, logger: logger)
            let consumer = runtime.consumer(queue: "reporting.events", handler: EventRecorderHandler())
            let router = ServiceRouter.make(health: runtime.healthMonitor(consumers: [consumer.consumer]))
            let port = Locked(0)
            let group = runtime.serviceGroup(consumers: [consumer], router: router, signals: []) { bound in
                port.withLock { $0 = bound }
            }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await expectEventually { port.withLock { $0 } != 0 }
                let health = URL(string: "http://127.0.0.1:\(port.withLock { $0 })/health")!
                try await expectEventually(timeout: .seconds(120)) { await status(health) == 200 }
                try await broker.stop()
                try await expectEventually(timeout: .seconds(120)) { await status(health) == 503 }
                try await broker.start()
                try await expectEventually(timeout: .seconds(60)) { await status(health) == 200 }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
        await broker.destroy()
    }

    private func status(_ url: URL) async -> Int {
        guard let (_, response) = try? await URLSession.shared.data(from: url) else { return 0 }
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    private func publishAll(_ messages: [OutgoingMessage], url: AMQPURL) async throws {
        let publisher = AMQPPublisher(url: url, options: options, logger: logger)
        let outcomes = try await publisher.publish(messages)
        await publisher.shutdown()
        #expect(allConfirmed(outcomes))
    }
}

extension AMQPURL {
    /// The URL with its password, for a child process's environment in tests.
    var testURL: String {
        let vhostPart = vhost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? vhost
        return "amqp://\(user):\(password)@\(host):\(port)/\(vhostPart)"
    }
}

extension DatabaseConfiguration {
    /// `postgres://user@host:port/database` for tests, without the password (only `postgres` is trusted; other
    /// roles give theirs through `MINHU_DATABASE_PASSWORD_FILE`).
    var testURL: String {
        guard case .tcp(let host, let port) = endpoint else { return "" }
        return "postgres://\(username)@\(host):\(port)/\(database)"
    }
}
