import Foundation

/// A supervision case went up a level.
///
/// Event `supervision.escalated` on `minhu.events`, published by minhu-supervision; schema
/// `docs/messages/event-supervision-escalated.schema.json`.
public struct SupervisionEscalated: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.supervisionEscalated
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
    /// Level before.
    public var fromLevel: Int
    /// Level now.
    public var toLevel: Int
    /// Why (Chinese).
    public var reason: String
    /// The department supervised.
    public var departmentCode: String?

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date, supervisionId: UUID,
                fromLevel: Int, toLevel: Int, reason: String, departmentCode: String? = nil) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.supervisionId = supervisionId
        self.fromLevel = fromLevel
        self.toLevel = toLevel
        self.reason = reason
        self.departmentCode = departmentCode
    }
}
