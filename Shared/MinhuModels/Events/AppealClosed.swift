import Foundation

/// The appeal is closed (销号).
///
/// Event `appeal.closed` on `minhu.events`, published by minhu-evaluation; schema
/// `docs/messages/event-appeal-closed.schema.json`.
public struct AppealClosed: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.appealClosed
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
    /// Why it could be closed.
    public var reason: ClosureReason
    /// The final satisfaction, when surveyed.
    public var satisfaction: Satisfaction?
    /// Who closed it (a person, or the service).
    public var closedBy: String

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                reason: ClosureReason, satisfaction: Satisfaction? = nil, closedBy: String) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.reason = reason
        self.satisfaction = satisfaction
        self.closedBy = closedBy
    }
}
