import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuStorage
import Testing

@Suite("Outbox relay to the real broker", .enabled(if: TestDatabase.isConfigured))
struct RelayBrokerTests {
    let logger = TestDatabase.logger

    @Test("outbox rows are published with their properties, confirmed, and marked published")
    func relayPublishes() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withDatabase { database in
                try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: url)
                let publisher = AMQPPublisher(url: url, logger: logger)
                let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake", logger: logger)
                let events = OutboxFixtures.events(1...300)
                try await OutboxFixtures.append(events, to: database, logger: logger)
                // Rows of another producer are not this relay's to publish.
                try await OutboxFixtures.append(OutboxFixtures.events(1...5, producer: "minhu-dispatcher"),
                                                producer: "minhu-dispatcher", to: database, logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await relay.run() }
                    try await expectEventually { try await relay.pendingCount() == 0 }
                    group.cancelAll()
                }
                let received = try await DeadLetterReader.read(queue: "dispatcher.events", count: 300, url: url)
                #expect(Set(received.compactMap(\.messageID)) == Set(events.map(\.messageID)))
                #expect(received.count == 300)
                #expect(received.first?.properties.appID == "minhu-intake")
                #expect(received.first?.properties.type == "appeal.received")
                let dispatcherRows = OutboxRelay(database: database, publisher: publisher, producer: "minhu-dispatcher",
                                                 logger: logger)
                #expect(try await dispatcherRows.pendingCount() == 5)
                await publisher.shutdown()
            }
        }
    }

    @Test("a row the broker refuses (no such exchange: the channel is closed) waits with its reason; the rows around it go out")
    func refusedRowDoesNotBlock() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withDatabase { database in
                try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: url)
                let publisher = AMQPPublisher(url: url, logger: logger)
                let metrics = StorageTestMetrics()
                let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake",
                                        logger: logger, metricsFactory: metrics)
                var events = OutboxFixtures.events(1...5)
                events[2].exchange = "minhu.no-such-exchange"
                try await OutboxFixtures.append(events, to: database, logger: logger)
                let round = try await relay.relayOnce()
                #expect(round.published == 4 && round.failed == 1)
                // Counted as a refusal, for the alert on minhu_outbox_failed_total.
                #expect(metrics.value("minhu_outbox_failed_total", [("producer", "minhu-intake"), ("reason", "refused")]) == 1)
                #expect(try await relay.pendingCount() == 1)
                let waiting = try await StorageFixtures.integer("""
                    SELECT attempts FROM outbox WHERE producer = 'minhu-intake' AND published_at IS NULL
                    AND last_error LIKE 'refused by the broker (404)%'
                    """, on: database)
                #expect(waiting == 1)
                let received = try await DeadLetterReader.read(queue: "dispatcher.events", count: 4, url: url)
                #expect(Set(received.compactMap(\.messageID)) == Set(events.enumerated().filter { $0.offset != 2 }
                    .map(\.element.messageID)))
                await publisher.shutdown()
            }
        }
    }
    @Test("refused rows cost no reconnection: the channel is opened again and the rows between them go out")
    func refusalsKeepTheConnection() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withDatabase { database in
                try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: url)
                let publisher = AMQPPublisher(url: url, logger: logger)
                let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-intake",
                                        logger: logger)
                var events = OutboxFixtures.events(1...60)
                for index in stride(from: 1, to: events.count, by: 3) {
                    events[index].exchange = "minhu.no-such-exchange"
                }
                try await OutboxFixtures.append(events, to: database, logger: logger)
                let round = try await relay.relayOnce()
                #expect(round.published == 40 && round.failed == 20)
                // One connection for the whole round: 21 refusals (the batch, then each refused row alone) reopened
                // the channel, not the connection with its topology.
                #expect(publisher.connectionsOpened == 1)
                #expect(publisher.isConnected)
                let received = try await DeadLetterReader.read(queue: "dispatcher.events", count: 40, url: url)
                #expect(Set(received.compactMap(\.messageID)) == Set(events.enumerated().filter { $0.offset % 3 != 1 }
                    .map(\.element.messageID)))
                await publisher.shutdown()
            }
        }
    }
}
