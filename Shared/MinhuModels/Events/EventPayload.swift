import Foundation

/// The body of an event on `minhu.events`.
///
/// ```swift
/// let message = try MessageEnvelope.event(payload, producer: "minhu-intake", at: clock.now())
/// ```
public protocol EventPayload: MinhuMessage {
    static var eventType: EventType { get }
    /// The AMQP `correlation_id`: the appeal id for appeal events, the cluster or report id otherwise.
    var correlationID: String? { get }
    /// When the event happened.
    var occurredAt: Date { get }
}

extension EventPayload {
    public static var messageType: String { eventType.rawValue }
    public static var schemaName: String { eventType.schemaName }
}

/// An event about one appeal: it carries the appeal's id and case number and its place in the appeal's life.
public protocol LifecycleEventPayload: EventPayload {
    var appealId: UUID { get }
    var caseNumber: String { get }
    /// Handling round, 1 for the first; `appeal.reopened` carries the new round.
    var round: Int { get }
    /// Dispatch attempt within the round: 0 before the first dispatch, 1 for the first, +1 per redispatch.
    var attempt: Int { get }
}

extension LifecycleEventPayload {
    public var correlationID: String? { appealId.uuidString }

    /// The event's order key for projections (DESIGN §2).
    public var lifecyclePosition: LifecyclePosition {
        LifecyclePosition(round: round, attempt: attempt,
                          rank: AppealStatus(event: Self.eventType)?.lifecycleRank ?? 0, occurredAt: occurredAt)
    }
}
