import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
import Testing

/// A service's consumers connect only once its schema guard has checked the database: a build deployed before
/// `minhu migrate` exits with the guard's error and leaves every message in its queue, undelivered.
@Suite("Schema guard before the consumers", .enabled(if: TestDatabase.isConfigured))
struct SchemaGateTests {
    let logger = TestDatabase.logger

    @Test("a service on a schema older than it needs stops with the guard's error and holds no delivery")
    func oldSchemaHoldsNoDelivery() async throws {
        try await TestBroker.withVhost { url in
            try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: url)
            let publisher = AMQPPublisher(url: url, logger: logger)
            #expect(allConfirmed(try await publisher.publish(OutboxFixtures.events(1...3))))
            await publisher.shutdown()
            try await TestDatabase.withConfiguration { databaseConfiguration in
                // The migrations from the one this build needs on "not applied": the schema is one version older
                // than the build needs (the newest migrations, such as a grant, need not be required).
                let required = ServiceMain.requiredSchemaVersion
                try await TestDatabase.withRunningDatabase(databaseConfiguration) { database in
                    _ = try await StorageFixtures.integer("""
                        WITH gone AS (DELETE FROM schema_migrations WHERE version >= \(required) RETURNING 1)
                        SELECT count(*) FROM gone
                        """, on: database)
                }
                let environment = [
                    "MINHU_DATABASE_URL": databaseConfiguration.testURL, "MINHU_AMQP_URL": url.testURL,
                    "MINHU_HTTP_HOST": "127.0.0.1", "MINHU_HTTP_PORT": "0",
                ]
                let configuration = try ServiceConfiguration.fromEnvironment(environment, serviceName: "reporting")
                let runtime = ServiceRuntime.build(configuration: configuration, logger: logger)
                let consumer = runtime.consumer(queue: "reporting.events", handler: EventRecorderHandler())
                let router = ServiceRouter.make(health: runtime.healthMonitor(consumers: [consumer.consumer]))
                let group = runtime.serviceGroup(consumers: [consumer], router: router, signals: [])
                await #expect(throws: (any Error).self) { try await group.run() }
                #expect(consumer.consumer.connectionGeneration == 0, "the consumer never connected")
            }
            // Still queued, and never delivered: no delivery attempt was spent.
            let waiting = try await DeadLetterReader.read(queue: "reporting.events", count: 3, url: url, timeout: .seconds(30))
            #expect(waiting.count == 3 && waiting.allSatisfy { !$0.redelivered })
        }
    }
}

/// The gate itself, without servers.
@Suite("Startup gate")
struct StartupGateTests {
    @Test("the schema version the services need is one the shipped migrations reach")
    func requiredVersionIsShipped() throws {
        #expect((1...(try Migration.bundledLatestVersion())).contains(ServiceMain.requiredSchemaVersion))
    }

    @Test("cancelling one waiter leaves the others waiting; opening lets them through; a failure reaches every one")
    func oneWaiterCancelled() async throws {
        let gate = StartupGate()
        let first = Task { try await gate.wait() }
        let second = Task { try await gate.wait() }
        try await Task.sleep(for: .milliseconds(100))
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        // Cancelled before it even waits: it throws at once, and changes nothing for the others.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await gate.wait()
        }
        await #expect(throws: CancellationError.self) { try await early.value }
        gate.open()
        try await second.value
        try await gate.wait()

        struct CheckFailed: Error {}
        let failing = StartupGate()
        let waiters = (0..<3).map { _ in Task { try await failing.wait() } }
        try await Task.sleep(for: .milliseconds(100))
        failing.fail(CheckFailed())
        for waiter in waiters { await #expect(throws: CheckFailed.self) { try await waiter.value } }
    }
}
