import Foundation

/// What the outbox relay needs from a broker client: publish a batch and learn, per message, whether the broker
/// confirmed it. Declared here so that storage and messaging never import each other; `MinhuMessaging` implements
/// it and `MinhuService` connects the two.
public protocol MessagePublishing: Sendable {
    /// Publishes `messages` (persistent, mandatory, with publisher confirms) and waits for every confirm.
    ///
    /// - Returns: one outcome per message, in the same order.
    /// - Throws: only when the connection itself failed; the caller then treats every message as not published.
    func publish(_ messages: [OutgoingMessage]) async throws -> [PublishOutcome]
}

/// The broker's verdict on one published message.
public enum PublishOutcome: Sendable, Hashable {
    /// `basic.ack` received and the message was not returned.
    case confirmed
    /// `basic.return` (no queue bound for the routing key, with mandatory set), with the broker's reply text.
    case returned(String)
    /// `basic.nack` (e.g. `x-overflow: reject-publish` on a full queue).
    case nacked

    /// True only for `.confirmed`.
    public var isConfirmed: Bool { self == .confirmed }
}
