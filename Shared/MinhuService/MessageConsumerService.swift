import Foundation
import Logging
import Metrics
import MinhuMessaging
import MinhuModels
import MinhuStorage
import PostgresNIO
import ServiceLifecycle

/// Consumes one queue with a `MessageHandler`, exactly-once in effect:
///
/// 1. each batch of deliveries that arrived together is decoded; a message the handler refuses is
///    dead-lettered with its reason (copy confirmed on `minhu.dead` before anything is acked);
/// 2. the rest go through one consumer transaction: inbox rows `(consumer, message_id)` decide which are new,
///    the handler applies those, and the messages it emits are appended to the outbox — one commit;
/// 3. only after the commit, one multiple-ack acknowledges the batch.
///
/// A batch that fails is retried one message at a time; a single message that keeps failing while the database
/// answers is requeued, so a crash loop ends in `dead.<queue>` through the queue's delivery limit. While the
/// database does not answer, the batch waits (unacked) and is retried with backoff.
///
/// On graceful shutdown it stops consuming, finishes the deliveries it holds, acks them, and returns.
public struct MessageConsumerService<Handler: MessageHandler>: Service {
    public let consumer: AMQPConsumer
    public let consumerName: String
    /// The producer name of the outbox rows the handler emits, e.g. `minhu-dispatcher`.
    public let producer: String
    public let handler: Handler
    public let database: MinhuDatabase
    public let deadLetters: any MessagePublishing
    public let logger: Logger
    /// Test hook: called after a batch commits and before it is acked.
    public var afterCommit: (@Sendable ([AMQPDelivery]) async -> Void)?
    /// When given, `run` waits for it to open before starting the consumer (a consumer built with
    /// `startNow: false`), and stops without consuming when it fails.
    public let gate: StartupGate?

    private let processed: Counter
    private let duplicates: Counter
    private let deadLettered: Counter

    /// - Parameters:
    ///   - consumerName: the inbox key, e.g. `dispatcher.events` (one per queue and service).
    ///   - deadLetters: the publisher for dead-letter copies (the service's publisher).
    public init(consumer: AMQPConsumer, consumerName: String, producer: String, handler: Handler, database: MinhuDatabase,
                deadLetters: any MessagePublishing, logger: Logger, gate: StartupGate? = nil,
                afterCommit: (@Sendable ([AMQPDelivery]) async -> Void)? = nil) {
        self.gate = gate
        self.consumer = consumer
        self.consumerName = consumerName
        self.producer = producer
        self.handler = handler
        self.database = database
        self.deadLetters = deadLetters
        self.logger = logger
        self.afterCommit = afterCommit
        processed = Counter(label: "minhu_messages_processed_total", dimensions: [("queue", consumerName)])
        duplicates = Counter(label: "minhu_messages_duplicate_total", dimensions: [("queue", consumerName)])
        deadLettered = Counter(label: "minhu_messages_dead_lettered_total", dimensions: [("queue", consumerName)])
    }

    public func run() async throws {
        let consumer = self.consumer
        if let gate {
            // On this consumer's own turn of a graceful shutdown only its wait ends: failing the shared gate would
            // end every consumer's run early, which the service group takes for a crash (exit 1, and the relay's
            // last flush skipped).
            let waiting = Task { try await gate.wait() }
            do {
                try await withGracefulShutdownHandler {
                    try await withTaskCancellationHandler {
                        try await waiting.value
                    } onCancel: {
                        waiting.cancel()
                    }
                } onGracefulShutdown: {
                    waiting.cancel()
                }
            } catch {
                // The schema check failed (the guard ends the group with its error) or the group is stopping.
                await consumer.shutdown()
                logger.info("consumer not started", metadata: ["queue": "\(consumerName)", "reason": "\(error)"])
                return
            }
        }
        consumer.start()
        let pending = DeliveryCoalescer(limit: 1000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Ends when the batches stream finishes (after stopConsuming) or on cancellation.
                for await batch in consumer.batches {
                    await pending.append(batch)
                }
                await pending.finish()
            }
            group.addTask {
                // What arrived while the previous batch was processed is processed together.
                while let batch = await pending.next() {
                    await process(batch)
                }
            }
            group.addTask {
                try? await gracefulShutdown()
                await consumer.stopConsuming()
            }
            // The first task ends once the stream has handed out everything received before stopConsuming().
            try await group.waitForAll()
        }
        await consumer.shutdown()
        logger.info("consumer drained and stopped", metadata: ["queue": "\(consumerName)"])
    }

    /// Processes one batch to the end: dead letters, transaction, ack. Deliveries of a connection that is gone
    /// are left out: they cannot be acked, and the broker delivers them again (a refused one would otherwise be
    /// dead-lettered twice).
    func process(_ batch: [AMQPDelivery]) async {
        let current = consumer.connectionGeneration
        let live = batch.filter { $0.generation == current }
        if live.count < batch.count {
            logger.info("deliveries of a lost connection left for their redelivery",
                        metadata: ["queue": "\(consumerName)", "count": "\(batch.count - live.count)"])
        }
        var accepted: [(AMQPDelivery, Handler.Message, UUID)] = []
        var refusedCount = 0
        var deadLetteringFails = false
        for delivery in live {
            do {
                guard let id = delivery.messageID else { throw MessageRejection("missing or invalid message_id property") }
                accepted.append((delivery, try handler.decode(delivery), id))
            } catch {
                let reason = (error as? MessageRejection)?.reason ?? "\(error)"
                // Once one dead letter of the batch could not be sent after its retries, the others get one try
                // each: the batch's good messages wait for them.
                if await deadLetter(delivery, reason: reason, patient: !deadLetteringFails) {
                    refusedCount += 1
                } else {
                    deadLetteringFails = true
                }
            }
        }
        guard !accepted.isEmpty else { return }
        if await commit(accepted) == .committed {
            if let afterCommit { await afterCommit(accepted.map(\.0)) }
            await ackAll(accepted.map(\.0))
            return
        }
        // The batch failed: one at a time, so that one bad message does not hold back the others.
        for item in accepted {
            var attempt = 0
            while true {
                let outcome = await commit([item])
                if outcome == .committed {
                    if let afterCommit { await afterCommit([item.0]) }
                    await consumer.ack(item.0)
                    break
                }
                attempt += 1
                // A handler that cannot work (HandlerUnavailable) is waited for, as a database that does not answer;
                // so is a deadlock or serialization failure, a few times, before it counts as the message's.
                let retryTransient = outcome == .failed(transient: true) && attempt < Self.transientRetries
                if case .failed = outcome, !retryTransient, await databaseAnswers() {
                    logger.error("message failed with the database up; requeued (delivery limit applies)",
                                 metadata: ["queue": "\(consumerName)", "message.id": "\(item.2)"])
                    await consumer.reject(item.0, requeue: true)
                    break
                }
                if Task.isCancelled { return }
                let delay = Backoff(initial: 0.2, maximum: 5).delay(attempt: attempt)
                try? await Task.sleep(for: .seconds(delay))
            }
        }
    }

    /// How many times one message's transaction is tried when it fails with a deadlock or serialization failure
    /// (`PostgresErrorDetails.isTransient`) before it is requeued, which counts towards the delivery limit.
    static var transientRetries: Int { 5 }

    /// How many times a refused delivery's dead-letter copy is tried (with backoff, about 7 s in all) before the
    /// delivery is requeued: the broker's delivery limit then dead-letters it without its reason.
    static var deadLetterAttempts: Int { 5 }

    /// Sends `delivery` to its dead-letter queue with `reason` and acknowledges it; true when done. When the copy
    /// cannot be sent (publisher connection down, no confirm, the dead-letter queue missing), it is tried again
    /// with backoff when `patient`, then the delivery is requeued; each failure is logged with the message id and
    /// the reason. A delivery whose connection dropped meanwhile is left for its redelivery.
    private func deadLetter(_ delivery: AMQPDelivery, reason: String, patient: Bool) async -> Bool {
        let attempts = patient ? Self.deadLetterAttempts : 1
        for attempt in 1...attempts {
            do {
                try await consumer.deadLetter(delivery, reason: reason, via: deadLetters)
                deadLettered.increment()
                return true
            } catch {
                let stale = delivery.generation != consumer.connectionGeneration
                let last = attempt == attempts || Task.isCancelled || stale
                logger.error(last ? "dead-lettering failed; message requeued (delivery limit applies)"
                                  : "dead-lettering failed; trying again", metadata: [
                    "queue": "\(consumerName)", "message.id": "\(delivery.messageID?.uuidString ?? "-")",
                    "reason": "\(reason)", "attempt": "\(attempt)", "error": "\(error)"])
                if last { break }
                try? await Task.sleep(for: .seconds(Backoff(initial: 0.5, maximum: 5).delay(attempt: attempt)))
            }
        }
        await consumer.reject(delivery, requeue: true)
        return false
    }

    /// How a consumer transaction ended.
    private enum CommitOutcome: Equatable {
        case committed
        /// The handler threw `HandlerUnavailable`: nothing is wrong with the messages.
        case unavailable
        /// `transient`: a deadlock or serialization failure, which a retry may not meet.
        case failed(transient: Bool)
    }

    private func commit(_ items: [(AMQPDelivery, Handler.Message, UUID)]) async -> CommitOutcome {
        let handler = self.handler
        let logger = self.logger
        do {
            let outcome = try await ConsumerTransaction.run(
                database: database, consumer: consumerName, producer: producer,
                messages: items.map { InboxItem(messageID: $0.2, message: $0.1) }
            ) { connection, fresh in
                try await handler.apply(fresh.map(\.message), on: connection, logger: logger)
            }
            processed.increment(by: outcome.applied.count)
            if !outcome.skipped.isEmpty {
                duplicates.increment(by: outcome.skipped.count)
                logger.info("duplicate deliveries skipped by the inbox",
                            metadata: ["queue": "\(consumerName)", "count": "\(outcome.skipped.count)"])
            }
            return .committed
        } catch let error as HandlerUnavailable {
            logger.error("handler unavailable; deliveries held and retried",
                         metadata: ["queue": "\(consumerName)", "reason": "\(error.reason)"])
            return .unavailable
        } catch {
            let details = PostgresErrorDetails(error)
            logger.warning("consumer transaction failed",
                           metadata: ["queue": "\(consumerName)", "error": "\(details)"])
            return .failed(transient: details.isTransient)
        }
    }

    private func ackAll(_ deliveries: [AMQPDelivery]) async {
        // One multiple-ack per connection generation (a batch never spans two, but be safe).
        let byGeneration = Dictionary(grouping: deliveries, by: \.generation)
        for (_, group) in byGeneration {
            if let last = group.max(by: { $0.deliveryTag < $1.deliveryTag }) {
                await consumer.ack(last, multiple: true)
            }
        }
    }

    private func databaseAnswers() async -> Bool {
        await database.health(timeout: .seconds(2)).isReady
    }
}

/// A decoded message with the id the inbox records.
public struct InboxItem<Message: Sendable>: InboxDelivery {
    public var messageID: UUID
    public var message: Message
}
