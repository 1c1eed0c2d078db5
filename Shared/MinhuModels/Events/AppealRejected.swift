import Foundation

/// The appeal is out of scope (不予受理); the citizen is told the reason and legal basis.
///
/// Event `appeal.rejected` on `minhu.events`, published by minhu-dispatcher; schema
/// `docs/messages/event-appeal-rejected.schema.json`.
public struct AppealRejected: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.appealRejected
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
    /// Why (Chinese, told to the citizen).
    public var reason: String
    /// The legal basis cited (Chinese).
    public var legalBasis: String?
    /// The agent or rule that decided.
    public var decidedBy: String

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date, reason: String,
                legalBasis: String? = nil, decidedBy: String) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.reason = reason
        self.legalBasis = legalBasis
        self.decidedBy = decidedBy
    }
}
