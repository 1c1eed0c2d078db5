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
}
