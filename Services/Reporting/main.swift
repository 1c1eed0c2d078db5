import MinhuMessaging
import MinhuService

// minhu-reporting: skeleton. It reads its configuration, connects to the broker and the database, declares its part of
// the topology, consumes its queues (recording each event in the inbox), serves /health and /metrics, and drains
// on SIGTERM. Its real work arrives with later issues (see docs/architecture.md).
await ServiceMain.run(serviceName: "reporting") { runtime in
    let consumers = (MinhuTopology.serviceQueues["reporting"] ?? []).filter { $0.hasSuffix(".events") }.map { queue in
        runtime.consumer(queue: queue, handler: EventRecorderHandler())
    }
    return ServiceMain.Parts(consumers: consumers, amqpConsumers: consumers.map(\.consumer))
}
