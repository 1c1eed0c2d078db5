import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuStorage
import Testing

/// Runs the real service executables as processes.
@Suite("Service processes", .enabled(if: TestDatabase.isConfigured))
struct ServiceProcessTests {
    let logger = TestDatabase.logger

    @Test("a service started with a missing or malformed MINHU_DATABASE_URL exits non-zero naming the key",
          arguments: [nil, "mysql://nope", "not a url at all"])
    func badDatabaseURL(value: String?) async throws {
        var environment = ["MINHU_AMQP_URL": "amqp://u:p@127.0.0.1:1/x", "PATH": "/usr/bin:/bin"]
        if let value { environment["MINHU_DATABASE_URL"] = value }
        let (status, output) = try await ChildProcess.with("minhu-dispatcher", environment: environment) { process in
            (await process.waitForExit(timeout: .seconds(60)), process.log)
        }
        #expect(status != nil && status != 0)
        #expect(output.contains("MINHU_DATABASE_URL"))
        #expect(!output.contains("p@127"), "no secret in the message")
    }

    @Test("SIGTERM while the database cannot be reached yet: a clean stop, exit 0, not a crash")
    func sigtermBeforeSchemaCheck() async throws {
        try await TestBroker.withVhost { url in
            try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: url)
            let environment = ["MINHU_DATABASE_URL": "postgres://nobody@127.0.0.1:1/minhu",
                               "MINHU_AMQP_URL": url.testURL,
                               "MINHU_HTTP_HOST": "127.0.0.1", "MINHU_HTTP_PORT": "0", "MINHU_SHUTDOWN_TIMEOUT": "3",
                               "PATH": "/usr/bin:/bin"]
            let (status, output) = try await ChildProcess.with("minhu-reporting", environment: environment) { process in
                // Once the HTTP server listens, the service group (and its signal handling) runs.
                try await expectEventually(timeout: .seconds(120)) { process.log.contains("HTTP server listening") }
                try await Task.sleep(for: .seconds(1))
                process.signal(SIGTERM)
                return (await process.waitForExit(timeout: .seconds(60)), process.log)
            }
            #expect(status == 0, "\(output.suffix(2000))")
            #expect(output.contains("cannot check the database schema yet"))
            #expect(output.contains("stopped before the database schema could be checked"))
            #expect(!output.contains("service failed"), "\(output.suffix(2000))")
        }
    }

    @Test("SIGTERM during a stream: the service stops consuming, finishes what it holds, exits 0; nothing doubled or lost")
    func sigtermDrains() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withConfiguration { configuration in
                try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: url)
                let total = 3000
                let publisher = AMQPPublisher(url: url, logger: logger)
                let events = OutboxFixtures.events(1...total)
                let outcomes = try await publisher.publish(events)
                await publisher.shutdown()
                #expect(allConfirmed(outcomes))
                let environment = [
                    "MINHU_DATABASE_URL": configuration.testURL, "MINHU_AMQP_URL": url.testURL,
                    "MINHU_HTTP_HOST": "127.0.0.1", "MINHU_HTTP_PORT": "0", "MINHU_AMQP_PREFETCH": "50",
                    "MINHU_LOG_LEVEL": "info",
                ]
                try await TestDatabase.withRunningDatabase(configuration) { database in
                    // First run: stopped by SIGTERM in the middle of the stream.
                    try await ChildProcess.with("minhu-reporting", environment: environment) { first in
                        try await expectEventually(timeout: .seconds(60)) {
                            try await OutboxFixtures.inboxCount(consumer: "reporting.events", database: database, logger: logger) > 0
                    }
                    first.signal(SIGTERM)
                    let firstStatus = await first.waitForExit(timeout: .seconds(60))
                    #expect(firstStatus == 0, "exit status; log tail: \(first.log.suffix(2000))")
                    }
                    let processed = try await OutboxFixtures.inboxCount(consumer: "reporting.events", database: database,
                                                                        logger: logger)
                    let left = try await TopologyDeclarer.status(of: ["reporting.events"], url: url)["reporting.events"]?.messages
                    #expect(processed + (left ?? -1) == total, "processed \(processed) + left \(left ?? -1)")

                    // Second run finishes the stream.
                    try await ChildProcess.with("minhu-reporting", environment: environment) { second in
                        // The first run may have finished the stream already: wait until this process is up (its
                        // signal handlers installed), or SIGTERM would kill it before it can drain.
                        try await expectEventually(timeout: .seconds(90), "the second run started consuming") {
                            second.log.contains("AMQP consumer connected")
                        }
                        try await expectEventually(timeout: .seconds(90)) {
                            try await OutboxFixtures.inboxCount(consumer: "reporting.events", database: database, logger: logger) == total
                    }
                    second.signal(SIGTERM)
                    let secondStatus = await second.waitForExit(timeout: .seconds(60))
                    #expect(secondStatus == 0, "exit status; log tail: \(second.log.suffix(2000))")
                    }
                    let rest = try await TopologyDeclarer.status(of: ["reporting.events"], url: url)["reporting.events"]?.messages
                    #expect(rest == 0)
                }
            }
        }
    }
}
