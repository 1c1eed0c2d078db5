import Foundation

/// What the outbox relay needs from a broker client: publish a batch and learn, per message, whether the broker
/// confirmed it. Declared here so that storage and messaging never import each other; `MinhuMessaging` implements
/// it and `MinhuService` connects the two.
public protocol MessagePublishing: Sendable {
    /// Publishes `messages` (persistent, mandatory, with publisher confirms) and waits for every confirm.
    ///
    /// - Returns: one outcome per message, in the same order.
    /// - Throws: `PublishRefused` when the broker closed the channel over one of the messages (it does not say
    ///   which: publishing them one at a time tells); otherwise only when the connection itself failed. Either way
    ///   the caller treats every message as not published.
    func publish(_ messages: [OutgoingMessage]) async throws -> [PublishOutcome]
}

/// The broker closed the channel over a published message: 403 (this user may not write to the exchange), 404 (no
/// such exchange) or 406 (e.g. larger than the broker's `max_message_size`). Publishing it again will fail again,
/// unlike a lost connection, so the outbox relay sets that message aside and goes on with the others.
public struct PublishRefused: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var text: String
    public init(code: Int, text: String) {
        self.code = code
        self.text = text
    }
    /// The reply codes that refuse a message rather than end a connection.
    public static let codes: Set<Int> = [403, 404, 406]
    public var description: String { "refused by the broker (\(code)): \(text)" }
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
