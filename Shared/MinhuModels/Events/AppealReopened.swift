import Foundation

/// The appeal is handled again (二次办理): `round` is the new round and `attempt` 0; the dispatcher dispatches it again.
///
/// Event `appeal.reopened` on `minhu.events`, published by minhu-supervision; schema
/// `docs/messages/event-appeal-reopened.schema.json`.
public struct AppealReopened: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.appealReopened
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
    /// The round that ended.
    public var previousRound: Int
    /// Why (Chinese).
    public var reason: String
    /// Who decided.
    public var decidedBy: String

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date, previousRound: Int,
                reason: String, decidedBy: String) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.previousRound = previousRound
        self.reason = reason
        self.decidedBy = decidedBy
    }
}
