import Foundation
import FoundationNetworking
import Hummingbird
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
import ServiceLifecycle
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
                    // Events this service's relay would publish, were it not held by the gate too.
                    try await OutboxFixtures.append(OutboxFixtures.events(1...2, producer: "minhu-reporting"),
                                                    producer: "minhu-reporting", to: database, logger: logger)
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
                let unpublished = try await TestDatabase.withRunningDatabase(databaseConfiguration) { database in
                    try await StorageFixtures.integer("SELECT count(*) FROM outbox WHERE published_at IS NULL",
                                                      on: database)
                }
                #expect(unpublished == 2, "the relay never ran")
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
    @Test("routes answer 503 until the gate opens; health and metrics answer at once")
    func routesWaitForTheGate() async throws {
        let gate = StartupGate()
        let router = Router()
        router.add(middleware: StartupGateMiddleware(gate: gate))
        router.get("/health") { _, _ in "health" }
        router.get("/metrics") { _, _ in "metrics" }
        router.post("/v1/appeals") { _, _ in "accepted" }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
                              logger: TestDatabase.logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: TestDatabase.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            func send(_ method: String, _ path: String) async throws -> (Int, String?) {
                var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
                request.httpMethod = method
                let (_, response) = try await URLSession.shared.data(for: request)
                let http = response as? HTTPURLResponse
                return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Retry-After"))
            }
            let early = try await send("POST", "/v1/appeals")
            #expect(early.0 == 503 && early.1 == "5")
            #expect(try await send("GET", "/health").0 == 200)
            #expect(try await send("GET", "/metrics").0 == 200)
            gate.open()
            #expect(try await send("POST", "/v1/appeals").0 == 200)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

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
