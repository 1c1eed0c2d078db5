import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import Testing

@Suite("Publisher and consumer on the real broker")
struct PublisherTests {
    let logger = Logger(label: "test")

    @Test("a publish that no queue receives is reported as returned, not confirmed")
    func unroutableIsReturned() async throws {
        try await TestBroker.withVhost { url in
            let topology = MinhuTopology.make(departments: ["housing"], channels: [])
            try await TopologyDeclarer.declare(topology, url: url)
            let publisher = AMQPPublisher(url: url, logger: logger)
            let routed = OutgoingMessage(exchange: MinhuTopology.dispatch, routingKey: "housing", type: "t",
                                         timestamp: Date(), appID: "test", body: Data("{}".utf8))
            let unroutable = OutgoingMessage(exchange: MinhuTopology.dispatch, routingKey: "no-such-department",
                                             type: "t", timestamp: Date(), appID: "test", body: Data("{}".utf8))
            let outcomes = try await publisher.publish([routed, unroutable, routed.withNewID()])
            await publisher.shutdown()
            #expect(outcomes[0] == .confirmed)
            guard case .returned(let reason) = outcomes[1] else {
                Issue.record("expected returned, got \(outcomes[1])")
                return
            }
            #expect(reason.contains("NO_ROUTE"))
            #expect(outcomes[2] == .confirmed)
        }
    }

    @Test("a consumer whose queue is deleted hears of it, declares the queue again and goes on receiving")
    func queueDeletedUnderConsumer() async throws {
        try await TestBroker.withVhost { url in
            let topology = MinhuTopology.make(departments: ["housing"], channels: [])
            try await TopologyDeclarer.declare(topology, url: url)
            let broker = try TestBroker.fromEnvironment()
            let vhost = url.vhost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? url.vhost
            let options = AMQPConnectionOptions(connectionName: "cancel-notify-test")
            let consumer = AMQPConsumer(url: url, queue: "dept.housing", prefetch: 10, options: options,
                                        topology: topology, logger: logger)
            // The connection tells the broker it handles basic.cancel.
            try await expectEventually(timeout: .seconds(30)) {
                let data = try await broker.management("GET", "/api/connections", body: nil)
                let connections = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
                return connections.contains { connection in
                    let properties = connection["client_properties"] as? [String: Any]
                    let capabilities = properties?["capabilities"] as? [String: Any]
                    return properties?["connection_name"] as? String == "cancel-notify-test"
                        && capabilities?["consumer_cancel_notify"] as? Bool == true
                }
            }
            // The operator deletes the queue (to change its arguments, say) under the running consumer.
            try await broker.management("DELETE", "/api/queues/\(vhost)/dept.housing", body: nil)
            let publisher = AMQPPublisher(url: url, confirmWindow: 10, logger: logger)
            let message = OutgoingMessage(exchange: MinhuTopology.dispatch, routingKey: "housing",
                                          type: "dispatch.assignment", timestamp: Date(), appID: "minhu-test",
                                          body: Data("{\"n\":1}".utf8))
            // Published once the consumer has declared its queue again (until then the message has no queue).
            try await expectEventually(timeout: .seconds(60)) {
                allConfirmed(try await publisher.publish([message]))
            }
            await publisher.shutdown()
            // (Stopped after 60 s, so that a consumer that never hears of the deletion fails the test, not hangs it.)
            let watchdog = Task {
                try await Task.sleep(for: .seconds(60))
                await consumer.shutdown()
            }
            var received: AMQPDelivery?
            for await batch in consumer.batches {
                received = batch.first
                await consumer.ack(batch.last!, multiple: true)
                break
            }
            watchdog.cancel()
            await consumer.shutdown()
            #expect(received?.messageID == message.messageID)
        }
    }

    @Test("messages published with confirms arrive with their properties, in order, and acks remove them")
    func roundTrip() async throws {
        try await TestBroker.withVhost { url in
            let topology = MinhuTopology.make(departments: ["housing"], channels: [])
            try await TopologyDeclarer.declare(topology, url: url)
            let publisher = AMQPPublisher(url: url, confirmWindow: 50, logger: logger)
            let messages = (0..<500).map { index in
                OutgoingMessage(exchange: MinhuTopology.dispatch, routingKey: "housing", type: "dispatch.assignment",
                                timestamp: Date(timeIntervalSince1970: 1_790_000_000), correlationID: "appeal-\(index)",
                                appID: "minhu-test", schemaVersion: 3, headers: ["x-note": "第\(index)件"],
                                body: Data("{\"n\":\(index),\"text\":\"诉求\"}".utf8))
            }
            let outcomes = try await publisher.publish(messages)
            #expect(allConfirmed(outcomes))
            await publisher.shutdown()

            let consumer = AMQPConsumer(url: url, queue: "dept.housing", prefetch: 100, logger: logger)
            var received: [AMQPDelivery] = []
            for await batch in consumer.batches {
                received.append(contentsOf: batch)
                await consumer.ack(batch.last!, multiple: true)
                if received.count >= messages.count { break }
            }
            await consumer.shutdown()
            #expect(received.count == 500)
            #expect(received.map(\.body) == messages.map(\.body))
            let first = received[0]
            #expect(first.messageID == messages[0].messageID)
            #expect(first.properties.type == "dispatch.assignment")
            #expect(first.properties.correlationID == "appeal-0")
            #expect(first.properties.appID == "minhu-test")
            #expect(first.properties.contentType == "application/json")
            #expect(first.properties.deliveryMode == 2)
            #expect(first.properties.schemaVersion == 3)
            #expect(first.properties.headers["x-note"] == "第0件")
            #expect(first.properties.timestamp == Date(timeIntervalSince1970: 1_790_000_000))
        }
    }

    @Test("a schema version or timestamp beyond the wire types is clamped, and its dead letter published, not a trap")
    func outOfRangePropertiesAreClamped() async throws {
        #expect(AMQPWireValues.schemaVersion(3_000_000_000) == Int32.max)
        #expect(AMQPWireValues.schemaVersion(-3_000_000_000) == Int32.min)
        #expect(AMQPWireValues.timestamp(Date(timeIntervalSince1970: 1e300)) == UInt64(Int64.max))
        #expect(AMQPWireValues.timestamp(Date(timeIntervalSince1970: -5)) == 0)
        #expect(AMQPWireValues.timestamp(Date(timeIntervalSince1970: 1_790_000_000.7)) == 1_790_000_000)
        try await TestBroker.withVhost { url in
            try await TopologyDeclarer.declare(MinhuTopology.make(departments: ["housing"], channels: []), url: url)
            let publisher = AMQPPublisher(url: url, logger: logger)
            let odd = OutgoingMessage(exchange: MinhuTopology.dispatch, routingKey: "housing", type: "t",
                                      timestamp: Date(timeIntervalSince1970: 1e300), appID: "test",
                                      schemaVersion: 3_000_000_000, body: Data("{}".utf8))
            #expect(allConfirmed(try await publisher.publish([odd])))
            let consumer = AMQPConsumer(url: url, queue: "dept.housing", prefetch: 1, logger: logger)
            var received: AMQPDelivery?
            for await batch in consumer.batches {
                received = batch.first
                break
            }
            let delivery = try #require(received)
            #expect(delivery.properties.schemaVersion == Int(Int32.max))
            // What a consumer does with a message it refuses: the copy carries the same odd values.
            try await consumer.deadLetter(delivery, reason: "unsupported schema version", via: publisher)
            await consumer.shutdown()
            await publisher.shutdown()
            let dead = try await DeadLetterReader.read(queue: "dead.dept.housing", count: 1, url: url, timeout: .seconds(30))
            #expect(dead.first?.properties.headers["x-minhu-error"] == "unsupported schema version")
        }
    }
}

extension OutgoingMessage {
    /// A copy with a fresh message id.
    func withNewID() -> OutgoingMessage {
        var copy = self
        copy.messageID = UUID()
        return copy
    }
}
