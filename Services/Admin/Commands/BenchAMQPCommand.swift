import ArgumentParser
import Foundation
import Logging
import MinhuMessaging
import MinhuModels

/// `minhu bench amqp`: publishes N persistent messages with batched confirms to a fresh queue, then consumes them
/// with a multiple-ack every 100, and prints both rates (to compare with `bench/c/amqp_bench.c`).
struct BenchAMQPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "amqp", abstract: "Publisher and consumer throughput.")

    @Option(help: "Messages to publish and consume.") var messages = 100_000
    @Option(help: "Body size in bytes.") var size = 1024
    @Option(help: "Queue type: classic or quorum.") var queueType = "quorum"
    @Option(help: "Messages between confirm waits.") var confirmEvery = 1000
    @Option(help: "Deliveries between multiple-acks.") var ackEvery = 100

    func validate() throws {
        guard messages >= 1 else { throw ValidationError("--messages must be at least 1") }
        guard size >= 0 else { throw ValidationError("--size must not be negative") }
        guard ["classic", "quorum"].contains(queueType) else {
            throw ValidationError("--queue-type is classic or quorum")
        }
        guard confirmEvery >= 1 else { throw ValidationError("--confirm-every must be at least 1") }
        guard (1...21_845).contains(ackEvery) else {
            throw ValidationError("--ack-every must be 1-21845 (the prefetch is 3 times it)")
        }
    }

    func run() async throws {
        let url = try CommandSupport.brokerURL()
        let logger = CommandSupport.logger("minhu-bench")
        let queue = "bench.swift.\(queueType)"
        var arguments: [String: Topology.QueueArgument] = [:]
        if queueType == "quorum" { arguments["x-queue-type"] = .string("quorum") }
        let topology = Topology(exchanges: [], queues: [.init(name: queue, arguments: arguments, bindings: [])])
        try await TopologyDeclarer.declare(topology, url: url)

        let body = Data(repeating: UInt8(ascii: "x"), count: size)
        let now = Date()
        let publisher = AMQPPublisher(url: url, options: .init(connectionName: "bench-publisher"),
                                      confirmWindow: confirmEvery, logger: logger)
        try await publisher.connect()
        let publishStart = ContinuousClock.now
        var sent = 0
        while sent < messages {
            let count = min(confirmEvery, messages - sent)
            let batch = (0..<count).map { _ in
                OutgoingMessage(exchange: "", routingKey: queue, type: "bench", timestamp: now, appID: "minhu-bench",
                                body: body)
            }
            let outcomes = try await publisher.publish(batch)
            guard outcomes.allSatisfy(\.isConfirmed) else { throw ValidationError("a message was not confirmed") }
            sent += count
        }
        let publishSeconds = (ContinuousClock.now - publishStart).seconds
        await publisher.shutdown()

        let consumer = AMQPConsumer(url: url, queue: queue, prefetch: UInt16(min(65535, ackEvery * 3)),
                                    options: .init(connectionName: "bench-consumer"), logger: logger)
        let consumeStart = ContinuousClock.now
        var received = 0
        var unacked = 0
        for await batch in consumer.batches {
            received += batch.count
            unacked += batch.count
            if unacked >= ackEvery || received >= messages, let last = batch.last {
                await consumer.ack(last, multiple: true)
                unacked = 0
            }
            if received >= messages { break }
        }
        let consumeSeconds = (ContinuousClock.now - consumeStart).seconds
        await consumer.shutdown()
        print(String(format: "swift %@ publish (confirm every %d): %.0f msg/s", queueType, confirmEvery,
                     Double(messages) / publishSeconds))
        print(String(format: "swift %@ consume (ack every %d): %.0f msg/s", queueType, ackEvery,
                     Double(received) / consumeSeconds))
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
