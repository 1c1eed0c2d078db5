import Foundation

/// A supervision case was closed.
///
/// Event `supervision.resolved` on `minhu.events`, published by minhu-supervision; schema
/// `docs/messages/event-supervision-resolved.schema.json`.
public struct SupervisionResolved: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.supervisionResolved
    public static let schemaVersion = 1

    /// The appeal.
    public var appealId: UUID
    /// The case number the citizen was told.
    public var caseNumber: String
    /// Handling round, 1 for the first; a reopened appeal starts the next.
    public var round: Int
    /// Dispatch attempt within the round: 0 before the first dispatch, +1 per dispatch.
    public var attempt: Int
    /// When it happened.
    public var occurredAt: Date
    /// The supervision case.
    public var supervisionId: UUID
    /// How it ended (Chinese).
    public var resolution: String

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date, supervisionId: UUID,
                resolution: String) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.supervisionId = supervisionId
        self.resolution = resolution
    }
}
