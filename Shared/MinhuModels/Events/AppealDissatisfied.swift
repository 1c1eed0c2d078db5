import Foundation

/// The citizen or deputy is dissatisfied with the reply; supervision may reopen the appeal.
///
/// Event `appeal.dissatisfied` on `minhu.events`, published by minhu-evaluation; schema
/// `docs/messages/event-appeal-dissatisfied.schema.json`.
public struct AppealDissatisfied: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.appealDissatisfied
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
    /// Whose verdict.
    public var source: EvaluationSource
    /// The survey answered.
    public var surveyId: UUID?
    /// What they said (Chinese).
    public var comment: String?

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                source: EvaluationSource, surveyId: UUID? = nil, comment: String? = nil) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.source = source
        self.surveyId = surveyId
        self.comment = comment
    }
}
