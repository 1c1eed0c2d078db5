import Foundation
import Logging
import MinhuModels

/// Reads, replays and drops the messages of one `dead.<queue>` queue (`minhu deadletters`).
///
/// It takes up to `limit` dead letters in queue order without acknowledging them (the prefetch window holds them,
/// so a dead letter arriving meanwhile is not taken), acts on those selected, and closes its connection: every
/// dead letter it did not settle goes back to the queue. A replayed copy is confirmed by the broker before its dead
/// letter is acknowledged, so a crash in between leaves the dead letter in place and a second replay of it is
/// skipped by the consumer's inbox (the message id is kept).
///
/// ```swift
/// let dead = DeadLetterQueue(url: url, queue: "deadlines.events", logger: logger)
/// let letters = try await dead.peek(limit: 20)
/// let outcome = try await dead.replay(limit: 1000, keepSender: false) { $0.messageID == id }
/// ```
public struct DeadLetterQueue: Sendable {
    /// The broker's URL; its user needs read on `dead.<queue>` and, to replay, write on `amq.default`.
    public let url: AMQPURL
    /// The working queue whose dead letters these are (`dead.<queue>` is read).
    public let queue: String
    /// How long to wait for the first dead letter (connecting included) and, after it, for each next one.
    public var firstDeliveryTimeout: Duration = .seconds(15)
    public var nextDeliveryTimeout: Duration = .seconds(2)
    let logger: Logger

    public init(url: AMQPURL, queue: String, logger: Logger) {
        self.url = url
        self.queue = queue
        self.logger = logger
    }

    /// `dead.<queue>`.
    public var deadQueue: String { MinhuTopology.deadQueue(queue) }

    /// What a replay or a drop did.
    public struct Outcome: Sendable {
        /// Dead letters read from the queue.
        public var taken: [DeadLetter] = []
        /// Dead letters replayed (or dropped) and acknowledged.
        public var settled: [DeadLetter] = []
        /// Dead letters selected but left in the queue, with the reason.
        public var refused: [(letter: DeadLetter, reason: String)] = []
        /// True when an acknowledgement could not be sent (the connection was lost): the command stopped there,
        /// and that dead letter is still in the queue although its copy went out.
        public var connectionLost = false
    }

    /// The number of dead letters waiting; throws when the queue does not exist.
    public func count() async throws -> Int {
        try await TopologyDeclarer.status(of: [deadQueue], url: url)[deadQueue]?.messages ?? 0
    }

    /// Up to `limit` dead letters, in queue order; all of them stay in the queue.
    public func peek(limit: Int) async throws -> [DeadLetter] {
        try await withTaken(limit: limit) { letters, _ in letters }
    }

    /// Publishes a copy of each dead letter `selected` accepts back to `queue` (`DeadLetter.replayCopy`), one at a
    /// time with the broker's confirm, and only then acknowledges the dead letter. Stops at the first copy the
    /// broker refuses (a `user_id` it does not accept closes the channel); the rest stay in the queue. `settled` is
    /// called as each dead letter is acknowledged (a command prints it at once, so that an interrupted run says
    /// how far it got).
    public func replay(limit: Int, keepSender: Bool,
                       selected: @escaping @Sendable (DeadLetter) -> Bool,
                       settled: @escaping @Sendable (DeadLetter) -> Void = { _ in }) async throws -> Outcome {
        let publisher = AMQPPublisher(url: url, options: .init(connectionName: "minhu-dead-letter-replay"),
                                      confirmWindow: 1, logger: logger)
        do {
            let outcome = try await withTaken(limit: limit) { letters, consumer in
                try await replay(letters, selected: selected, keepSender: keepSender, publisher: publisher,
                                 consumer: consumer, settled: settled)
            }
            await publisher.shutdown()
            return outcome
        } catch {
            await publisher.shutdown()
            throw error
        }
    }

    private func replay(_ letters: [DeadLetter], selected: (DeadLetter) -> Bool, keepSender: Bool,
                        publisher: AMQPPublisher, consumer: AMQPConsumer,
                        settled: (DeadLetter) -> Void) async throws -> Outcome {
        var outcome = Outcome(taken: letters)
        var stopped = false
        for letter in letters where selected(letter) {
            if stopped {
                outcome.refused.append((letter, "not tried after the copy before it failed"))
                continue
            }
            let copy: OutgoingMessage
            do { copy = try letter.replayCopy(to: queue, keepSender: keepSender) } catch {
                outcome.refused.append((letter, "\(error)"))
                continue
            }
            do {
                let result = try await publisher.publish([copy]).first
                guard result == .confirmed else {
                    let answer = result.map { "\($0)" } ?? "no answer"
                    outcome.refused.append((letter, "the broker did not confirm the copy (\(answer))"))
                    continue
                }
            } catch let refused as PublishRefused {
                stopped = true
                outcome.refused.append((letter, "the broker refused the copy: \(refused)"))
                continue
            } catch {
                // A lost connection or a confirm that did not come: the copy may be queued. Stop here.
                stopped = true
                outcome.refused.append((letter, "the copy's fate is unknown (\(error)); list the queue first"))
                continue
            }
            // When the removal fails, the copy is out and the dead letter back in the queue: stop before anything
            // else is sent twice.
            guard await remove(letter, from: consumer, into: &outcome,
                               whenLost: "replayed, but the connection was lost before its removal") else { break }
            settled(letter)
            logger.notice("dead letter replayed", metadata: [
                "queue": "\(queue)", "message.id": "\(letter.messageID)",
                "type": "\(letter.delivery.properties.type ?? "-")", "replays": "\(letter.replays + 1)",
            ])
        }
        return outcome
    }

    /// Acknowledges each dead letter `selected` accepts, which removes it for good; `settled` as for `replay`.
    public func drop(limit: Int, selected: @escaping @Sendable (DeadLetter) -> Bool,
                     settled: @escaping @Sendable (DeadLetter) -> Void = { _ in }) async throws -> Outcome {
        try await withTaken(limit: limit) { letters, consumer in
            var outcome = Outcome(taken: letters)
            for letter in letters where selected(letter) {
                guard await remove(letter, from: consumer, into: &outcome,
                                   whenLost: "the connection was lost before its removal") else { break }
                settled(letter)
                logger.notice("dead letter dropped", metadata: [
                    "queue": "\(queue)", "message.id": "\(letter.messageID)", "reason": "\(letter.reason)",
                ])
            }
            return outcome
        }
    }

    /// Acknowledges `letter` and records it as settled; when the ack cannot be sent (the connection is gone), records
    /// it as left with `whenLost` and the lost connection, and returns false.
    private func remove(_ letter: DeadLetter, from consumer: AMQPConsumer, into outcome: inout Outcome,
                        whenLost: String) async -> Bool {
        guard await consumer.ack(letter.delivery) else {
            outcome.connectionLost = true
            outcome.refused.append((letter, whenLost))
            return false
        }
        outcome.settled.append(letter)
        return true
    }

    /// Takes up to `limit` dead letters unacknowledged, runs `body` on them, and closes the connection (what
    /// `body` did not acknowledge goes back to the queue).
    func withTaken<T: Sendable>(limit: Int,
                                _ body: @Sendable ([DeadLetter], AMQPConsumer) async throws -> T) async throws -> T {
        let available = try await count()
        let wanted = min(max(limit, 0), available, Int(UInt16.max))
        let consumer = AMQPConsumer(url: url, queue: deadQueue, prefetch: UInt16(max(wanted, 1)),
                                    options: .init(connectionName: "minhu-dead-letters"), startNow: wanted > 0,
                                    logger: logger)
        do {
            let letters = wanted > 0 ? try await take(wanted, from: consumer) : []
            let result = try await body(letters, consumer)
            await consumer.shutdown()
            return result
        } catch {
            await consumer.shutdown()
            throw error
        }
    }

    /// Receives `wanted` deliveries, or fewer when none comes within the timeouts (another reader took some);
    /// throws when none comes at all, or when the connection was lost on the way (they went back to the queue).
    private func take(_ wanted: Int, from consumer: AMQPConsumer) async throws -> [DeadLetter] {
        let progress = TakeProgress(firstTimeout: firstDeliveryTimeout, nextTimeout: nextDeliveryTimeout)
        let watchdog = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                // A refused permission does not pass with retries: stop at once (the error is thrown below).
                if progress.isIdle() || Self.isRefused(consumer.lastConnectError) {
                    await consumer.stopConsuming()
                    return
                }
            }
        }
        defer { watchdog.cancel() }
        var deliveries: [AMQPDelivery] = []
        for await batch in consumer.batches {
            deliveries += batch
            progress.received()
            if deliveries.count >= wanted { break }
        }
        watchdog.cancel()
        guard !deliveries.isEmpty else {
            if let error = consumer.lastConnectError, Self.isRefused(error) { throw error }
            throw AMQPError.connectionLost(
                "no dead letter could be read from \(deadQueue), which held \(wanted) a moment before: another "
                    + "reader holds them, the queue was deleted, or the connection failed (the log above says more)")
        }
        if Set(deliveries.map(\.generation)).count > 1 {
            throw AMQPError.connectionLost("the connection was lost while reading \(deadQueue); nothing was changed")
        }
        return deliveries.map(DeadLetter.init)
    }
}

extension DeadLetterQueue {
    /// True for the broker's 403 (ACCESS_REFUSED): the user lacks a permission.
    static func isRefused(_ error: AMQPError?) -> Bool {
        if case .brokerRefused(let code, _)? = error { return code == 403 }
        return false
    }
}

/// When the last delivery arrived, for `DeadLetterQueue`'s idle watchdog.
private final class TakeProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var last = ContinuousClock.now
    private var any = false
    private let firstTimeout: Duration
    private let nextTimeout: Duration

    init(firstTimeout: Duration, nextTimeout: Duration) {
        self.firstTimeout = firstTimeout
        self.nextTimeout = nextTimeout
    }

    func received() {
        lock.lock()
        defer { lock.unlock() }
        last = .now
        any = true
    }

    func isIdle() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return ContinuousClock.now - last > (any ? nextTimeout : firstTimeout)
    }
}
