import Foundation
import Logging
import Metrics
import MinhuModels

/// Consumes one queue with manual acks and a prefetch window, on a connection and thread of its own, and hands
/// deliveries out as an `AsyncStream`.
///
/// After a lost connection (socket error, broker restart, a frozen broker noticed by missed heartbeats) it
/// reconnects with backoff, redeclares `topology`, and resumes consuming; the stream does not end. Acks of
/// deliveries from an earlier connection are ignored: the broker redelivers those, and the inbox skips them.
///
/// ```swift
/// let consumer = AMQPConsumer(url: url, queue: "dispatcher.events", logger: logger)
/// for await delivery in consumer.deliveries {
///     // commit the effect, then:
///     await consumer.ack(delivery)
/// }
/// ```
public final class AMQPConsumer: @unchecked Sendable {
    /// Deliveries in arrival order, grouped as they arrived together (so that a batch can share one transaction
    /// and one multiple-ack); finishes after `stopConsuming()` once what was received has been handed out.
    public let batches: AsyncStream<[AMQPDelivery]>
    private let continuation: AsyncStream<[AMQPDelivery]>.Continuation

    /// The same deliveries one by one.
    public var deliveries: AMQPDeliverySequence { AMQPDeliverySequence(batches: batches) }
    private let worker: AMQPWorkerThread
    private let url: AMQPURL
    /// The queue consumed.
    public let queue: String
    private let prefetch: UInt16
    private let options: AMQPConnectionOptions
    private let topology: Topology?
    private let logger: Logger
    private let statusLock = NSLock()
    private var connectedFlag = false
    private var startedFlag = false
    private var generationValue = 0
    private var lastConnectErrorValue: AMQPError?
    private let received = Counter(label: "minhu_amqp_delivered_total")

    // Thread-confined state.
    private var connection: AMQPConnection?
    private var consumerTag: String?
    private var generation = 0
    private var consuming = true
    private var failedAttempts = 0

    /// - Parameters:
    ///   - queue: the queue to consume.
    ///   - prefetch: unacknowledged deliveries the broker may send ahead.
    ///   - topology: declared on every (re)connection, when given (the queue must exist otherwise).
    ///   - startNow: connect and consume at once (default); otherwise nothing is received until `start()`, so a
    ///     service can first check what it depends on (its database schema) without holding deliveries.
    public init(url: AMQPURL, queue: String, prefetch: UInt16 = 200, options: AMQPConnectionOptions = .init(),
                topology: Topology? = nil, startNow: Bool = true, logger: Logger) {
        self.url = url
        self.queue = queue
        self.prefetch = prefetch
        self.options = options
        self.topology = topology
        self.logger = logger
        (batches, continuation) = AsyncStream.makeStream(of: [AMQPDelivery].self, bufferingPolicy: .unbounded)
        worker = AMQPWorkerThread(name: "amqp-consumer-\(queue)")
        if startNow { start() }
    }

    /// Starts connecting and consuming (once; later calls, and calls after `shutdown()`, do nothing).
    public func start() {
        statusLock.lock()
        let first = !startedFlag
        startedFlag = true
        statusLock.unlock()
        if first { worker.start { [self] worker in mainLoop(worker) } }
    }

    /// True once `start()` has run (or the consumer was built with `startNow`).
    private var hasStarted: Bool {
        statusLock.lock()
        defer { statusLock.unlock() }
        return startedFlag
    }

    /// True while connected and consuming (for `/health`).
    public var isConnected: Bool {
        statusLock.lock()
        defer { statusLock.unlock() }
        return connectedFlag
    }

    /// How many connections this consumer has opened so far (grows with each reconnection).
    public var connectionGeneration: Int {
        statusLock.lock()
        defer { statusLock.unlock() }
        return generationValue
    }

    /// Why the last attempt to connect and consume failed (nil once consuming): a command that cannot wait for
    /// the retries reads it (`DeadLetterQueue` stops on a refused permission).
    public var lastConnectError: AMQPError? {
        statusLock.lock()
        defer { statusLock.unlock() }
        return lastConnectErrorValue
    }

    /// Acknowledges `delivery`, and every earlier delivery of the same connection when `multiple`.
    /// - Returns: false when the ack could not be sent: the connection that delivered it is gone (the broker will
    ///   deliver the message again).
    @discardableResult
    public func ack(_ delivery: AMQPDelivery, multiple: Bool = false) async -> Bool {
        let sent = try? await worker.run { [self] () -> Bool in
            guard let connection, delivery.generation == generation else { return false }
            do {
                try connection.ack(deliveryTag: delivery.deliveryTag, multiple: multiple)
                return true
            } catch {
                dropConnection(reason: "\(error)")
                return false
            }
        }
        return sent ?? false
    }

    /// Rejects `delivery`; with `requeue` the broker delivers it again (counting towards `x-delivery-limit`).
    public func reject(_ delivery: AMQPDelivery, requeue: Bool) async {
        await onThread { [self] in
            guard let connection, delivery.generation == generation else { return }
            do { try connection.reject(deliveryTag: delivery.deliveryTag, requeue: requeue) } catch {
                dropConnection(reason: "\(error)")
            }
        }
    }

    /// Refuses `delivery` for good: publishes a copy to `minhu.dead` (routing key: this queue) with the reason in
    /// an `x-minhu-error` header, waits for the broker's confirm, and only then acks the original.
    /// - Throws: when the copy was not confirmed; the original is then left unacked (it will come back).
    public func deadLetter(_ delivery: AMQPDelivery, reason: String, via publisher: any MessagePublishing) async throws {
        // A sender's own x-minhu-… headers would pass for the consumer's record (a forged sender, reason or route);
        // only the replay count is kept, so that a loop shows.
        var headers = delivery.properties.headers.filter {
            !$0.key.hasPrefix("x-minhu-") || $0.key == DeadLetter.replayCountHeader
        }
        headers["x-minhu-error"] = reason
        headers["x-minhu-original-exchange"] = delivery.exchange
        headers["x-minhu-original-routing-key"] = delivery.routingKey
        // The broker refuses a user_id that is not the publisher's own, so the copy records the sender in a header
        // (a replay that keeps the sender restores it: DeadLetter.replayCopy).
        if let user = delivery.properties.userID, !user.isEmpty { headers["x-minhu-original-user-id"] = user }
        // A message_id that is not a UUID gets a new one on the copy; the original is kept for the replay.
        if delivery.messageID == nil, let original = delivery.properties.messageID, !original.isEmpty {
            headers["x-minhu-original-message-id"] = original
        }
        // A missing schema_version means 1 (docs/messages.md): the copy says so, so that a replay is accepted.
        let copy = OutgoingMessage(
            messageID: delivery.messageID ?? UUID(), exchange: MinhuTopology.dead, routingKey: queue,
            type: delivery.properties.type ?? "unknown", timestamp: delivery.properties.timestamp ?? Date(),
            correlationID: delivery.properties.correlationID, appID: delivery.properties.appID ?? "unknown",
            userID: nil, schemaVersion: delivery.properties.schemaVersion ?? 1, headers: headers, body: delivery.body)
        let outcomes = try await publisher.publish([copy])
        guard outcomes.first == .confirmed else {
            throw AMQPError.brokerRefused(code: 0, text: "dead letter not confirmed: \(String(describing: outcomes.first))")
        }
        logger.warning("message dead-lettered", metadata: [
            "queue": "\(queue)", "message.id": "\(delivery.properties.messageID ?? "-")", "reason": "\(reason)",
        ])
        await ack(delivery)
    }

    /// Stops consuming (basic.cancel): no new deliveries arrive; those already received are still handed out and
    /// can be acked, then the delivery stream finishes.
    public func stopConsuming() async {
        guard hasStarted else { return }
        await onThread { [self] in
            guard consuming else { return }
            consuming = false
            if let connection, let tag = consumerTag {
                do {
                    try connection.cancel(consumerTag: tag)
                    // Deliveries that arrived while cancelling were queued by rabbitmq-c: hand them out too.
                    var batch: [AMQPDelivery] = []
                    while let delivery = try connection.nextDelivery(generation: generation) { batch.append(delivery) }
                    if !batch.isEmpty { continuation.yield(batch) }
                } catch {
                    dropConnection(reason: "\(error)")
                }
            }
            consumerTag = nil
            continuation.finish()
        }
    }

    /// Stops consuming, closes the connection, finishes `deliveries` and ends the thread.
    public func shutdown() async {
        let started = statusLock.withLock {
            defer { startedFlag = true }  // a later start() does nothing
            return startedFlag
        }
        guard started else {
            continuation.finish()
            return
        }
        await stopConsuming()
        worker.requestStop()
        await worker.join()
        continuation.finish()
    }

    private func onThread(_ body: @escaping @Sendable () -> Void) async {
        _ = try? await worker.run(body)
    }

    // MARK: Thread-confined

    private func mainLoop(_ worker: AMQPWorkerThread) {
        while !worker.isStopRequested {
            worker.runJobs()
            guard let connection else {
                if consuming { connectAndConsume(worker) } else {
                    worker.wait(socket: nil, timeoutMilliseconds: 250)
                }
                continue
            }
            if !connection.hasBufferedData {
                worker.wait(socket: connection.socketFD, timeoutMilliseconds: 250)
            }
            worker.runJobs()
            guard let current = self.connection else { continue }
            do {
                // Hand out what has arrived, a bounded number at a time so that acks are not starved.
                var batch: [AMQPDelivery] = []
                while batch.count < Int(prefetch), let delivery = try current.nextDelivery(generation: generation) {
                    batch.append(delivery)
                }
                if !batch.isEmpty {
                    received.increment(by: batch.count)
                    continuation.yield(batch)
                }
            } catch {
                dropConnection(reason: "\(error)")
            }
        }
        connection?.close()
        connection = nil
        setConnected(false)
    }

    private func connectAndConsume(_ worker: AMQPWorkerThread) {
        do {
            let opened = try AMQPConnection.open(url: url, options: options, confirms: false)
            if let topology { try opened.declare(topology) }
            try opened.qos(prefetch: prefetch)
            consumerTag = try opened.consume(queue: queue)
            connection = opened
            generation += 1
            statusLock.lock()
            generationValue = generation
            connectedFlag = true
            lastConnectErrorValue = nil
            statusLock.unlock()
            logger.info("AMQP consumer connected", metadata: [
                "queue": "\(queue)", "amqp.url": "\(url)", "generation": "\(generation)",
            ])
            failedAttempts = 0
        } catch {
            failedAttempts += 1
            statusLock.lock()
            lastConnectErrorValue = error as? AMQPError ?? .connectionFailed("\(error)")
            statusLock.unlock()
            let delay = options.reconnectBackoff.delay(attempt: failedAttempts)
            logger.warning("AMQP consumer cannot connect", metadata: [
                "queue": "\(queue)", "amqp.url": "\(url)", "error": "\(error)", "retry.in": "\(delay)",
            ])
            worker.sleep(seconds: delay)
        }
    }

    private func dropConnection(reason: String) {
        guard let connection else { return }
        logger.warning("AMQP consumer connection lost", metadata: ["queue": "\(queue)", "error": "\(reason)"])
        connection.destroy()
        self.connection = nil
        consumerTag = nil
        setConnected(false)
    }

    private func setConnected(_ value: Bool) {
        statusLock.lock()
        connectedFlag = value
        statusLock.unlock()
    }
}
