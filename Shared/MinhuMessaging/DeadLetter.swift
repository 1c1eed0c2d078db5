import Foundation
import MinhuModels

/// One message of a `dead.<queue>` queue as an operator sees it, and the copy a replay sends back.
///
/// A dead letter comes from one of two places (docs/messages.md, "Dead letters"): a consumer that refused the
/// message (the reason is in `x-minhu-error`), or the broker, once the message went past the queue's delivery limit
/// (a crash loop; the broker's `x-first-death-reason` header says `delivery_limit`).
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

    /// Who dead-lettered it: `consumer` (refused, with a reason) or `broker` (past the delivery limit).
    public var origin: String { delivery.properties.headers["x-minhu-error"] != nil ? "consumer" : "broker" }

    /// Why it is here: the consumer's reason, or the broker's (`delivery_limit` for a crash loop).
    public var reason: String {
        let headers = delivery.properties.headers
        if let reason = headers["x-minhu-error"] { return reason }
        if let reason = headers["x-first-death-reason"] { return "broker: \(reason)" }
        return "broker: no reason recorded"
    }

    /// The broker user that published the original: the message's own `user_id` (the broker keeps it when it
    /// dead-letters), or the one a consumer's copy recorded in `x-minhu-original-user-id`.
    public var sender: String? {
        if let user = delivery.properties.userID, !user.isEmpty { return user }
        if let user = delivery.properties.headers["x-minhu-original-user-id"], !user.isEmpty { return user }
        return nil
    }

    /// How often this message was replayed before.
    public var replays: Int { delivery.properties.headers[Self.replayCountHeader].flatMap { Int($0) } ?? 0 }

    /// The copy to publish to `queue` through the default exchange, so that it reaches that queue only (not every
    /// queue bound to its original exchange, whose consumers had it already).
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
        if keepSender {
            guard let sender else {
                throw DeadLetterReplayRefusal("it records no sender (user_id) to keep")
            }
            user = sender
        } else if MinhuTopology.senderCheckedQueues.contains(queue) {
            throw DeadLetterReplayRefusal(
                "\(queue) authenticates each message's sender by its user_id; replay with --keep-sender "
                    + "(as a broker user with the impersonator tag) or have the sender publish it again")
        }
        var headers = delivery.properties.headers.filter { !Self.deadLetteringHeaders.contains($0.key) }
        headers[Self.replayCountHeader] = String(replays + 1)
        return OutgoingMessage(
            messageID: id, exchange: "", routingKey: queue, type: delivery.properties.type ?? "unknown",
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
