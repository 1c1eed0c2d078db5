import Foundation
import MinhuModels

/// One message of a `dead.<queue>` queue as an operator sees it, and the copy a replay sends back.
///
/// A dead letter comes from one of two places (docs/messages.md, "Dead letters"): a consumer that refused the
/// message (the reason is in `x-minhu-error`), or the broker, once the message went past the queue's delivery limit
/// (a crash loop; the broker's `x-death` record says `delivery_limit`, and where the message had been published).
///
/// ```swift
/// let letter = DeadLetter(delivery)
/// let copy = try letter.replayCopy(to: "deadlines.events", keepSender: false)
/// ```
public struct DeadLetter: Sendable {
    /// Headers a message gains on its way to `minhu.dead`; a replayed copy leaves them out.
    public static let deadLetteringHeaders: Set<String> = [
        "x-minhu-error", "x-minhu-original-exchange", "x-minhu-original-routing-key", "x-minhu-original-user-id",
        "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason",
        "x-last-death-exchange", "x-last-death-queue", "x-last-death-reason", "x-delivery-count",
    ]
    /// Counts the replays of a message (a copy replayed twice says 2), so that a loop shows.
    public static let replayCountHeader = "x-minhu-replays"

    /// The delivery from the dead-letter queue.
    public let delivery: AMQPDelivery

    public init(_ delivery: AMQPDelivery) { self.delivery = delivery }

    /// The `message_id` property as it arrived ("-" when there is none).
    public var messageID: String { delivery.properties.messageID ?? "-" }

    /// True when the broker dead-lettered it (it carries the broker's `x-death` record). Its `x-minhu-…` headers
    /// then came from its sender, not from a consumer, and are not trusted.
    public var fromBroker: Bool { !delivery.properties.deaths.isEmpty || consumerReason == nil }

    /// Who dead-lettered it: `consumer` (refused, with a reason) or `broker` (past the delivery limit).
    public var origin: String { fromBroker ? "broker" : "consumer" }

    private var consumerReason: String? {
        delivery.properties.deaths.isEmpty ? delivery.properties.headers["x-minhu-error"] : nil
    }

    /// Why it is here: the consumer's reason, or the broker's (`delivery_limit` for a crash loop).
    public var reason: String {
        if let reason = consumerReason { return reason }
        if let death = delivery.properties.deaths.first { return "broker: \(death.reason)" }
        if let reason = delivery.properties.headers["x-first-death-reason"] { return "broker: \(reason)" }
        return "broker: no reason recorded"
    }

    /// The broker user that published the original: the message's own `user_id` (the broker keeps it when it
    /// dead-letters), or the one a consumer's copy recorded in `x-minhu-original-user-id`.
    public var sender: String? {
        if let user = delivery.properties.userID, !user.isEmpty { return user }
        guard !fromBroker, let user = delivery.properties.headers["x-minhu-original-user-id"], !user.isEmpty else {
            return nil
        }
        return user
    }

    /// Where the original was published (exchange, routing key) on its way to `queue`: the consumer's record, or
    /// the broker's `x-death` entry for that queue.
    public func originalRoute(to queue: String) -> (exchange: String, routingKey: String)? {
        if !fromBroker {
            let headers = delivery.properties.headers
            guard let exchange = headers["x-minhu-original-exchange"],
                  let key = headers["x-minhu-original-routing-key"] else { return nil }
            return (exchange, key)
        }
        guard let death = delivery.properties.deaths.first(where: { $0.queue == queue }),
              let key = death.routingKeys.first else { return nil }
        return (death.exchange, key)
    }

    /// How often this message was replayed before.
    public var replays: Int { delivery.properties.headers[Self.replayCountHeader].flatMap { Int($0) } ?? 0 }

    /// The copy to publish so that it reaches `queue` only, and not every queue bound to its original exchange
    /// (whose consumers had it already): through the default exchange; for a sender-checked queue, whose
    /// consumer reads the routing key (`<channel>.appeal`, `<code>.signed`), through its original exchange and
    /// routing key, which reach that queue alone.
    ///
    /// It keeps the message id (consumers' inboxes skip a message they have handled), type, timestamp,
    /// correlation id, app id, schema version, body and headers, without the dead-lettering headers, and counts
    /// the replay in `x-minhu-replays`.
    /// - Parameters:
    ///   - keepSender: set `user_id` to `sender`. Consumers of `MinhuTopology.senderCheckedQueues` authenticate
    ///     the sender by it, so their messages are replayed only with it; the broker accepts it only from a user
    ///     with the `impersonator` tag.
    /// - Throws: `DeadLetterReplayRefusal` when the copy could not be handled as the original was.
    public func replayCopy(to queue: String, keepSender: Bool) throws(DeadLetterReplayRefusal) -> OutgoingMessage {
        guard let id = delivery.messageID else {
            throw DeadLetterReplayRefusal("its message_id '\(messageID)' is not a UUID")
        }
        var user: String?
        var route = (exchange: "", routingKey: queue)
        if keepSender {
            guard let sender else {
                throw DeadLetterReplayRefusal("it records no sender (user_id) to keep")
            }
            user = sender
        }
        if MinhuTopology.senderCheckedQueues.contains(queue) {
            guard keepSender else {
                throw DeadLetterReplayRefusal(
                    "\(queue) authenticates each message's sender by its user_id; replay with --keep-sender "
                        + "(as a broker user with the impersonator tag) or have the sender publish it again")
            }
            guard let original = originalRoute(to: queue) else {
                throw DeadLetterReplayRefusal("its original exchange and routing key are not recorded")
            }
            let reached = MinhuTopology.make(departments: [], channels: [])
                .queues(reachedBy: original.exchange, routingKey: original.routingKey)
            guard reached == [queue] else {
                let reaches = reached.isEmpty ? "no queue" : reached.joined(separator: ", ")
                throw DeadLetterReplayRefusal(
                    "its original route \(original.exchange) '\(original.routingKey)' reaches \(reaches), "
                        + "not \(queue) alone")
            }
            route = original
        }
        var headers = delivery.properties.headers.filter { !Self.deadLetteringHeaders.contains($0.key) }
        headers[Self.replayCountHeader] = String(replays + 1)
        return OutgoingMessage(
            messageID: id, exchange: route.exchange, routingKey: route.routingKey,
            type: delivery.properties.type ?? "unknown",
            timestamp: delivery.properties.timestamp ?? Date(), correlationID: delivery.properties.correlationID,
            appID: delivery.properties.appID ?? "unknown", userID: user,
            schemaVersion: delivery.properties.schemaVersion ?? 1, headers: headers, body: delivery.body)
    }
}

/// Why a dead letter was not replayed.
public struct DeadLetterReplayRefusal: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
