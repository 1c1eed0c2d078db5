import Foundation

/// A satisfaction survey (回访) was sent for the reply.
///
/// Event `survey.requested` on `minhu.events`, published by minhu-evaluation; schema
/// `docs/messages/event-survey-requested.schema.json`.
public struct SurveyRequested: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.surveyRequested
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
    /// The survey.
    public var surveyId: UUID
    /// The channel the invitation went to.
    public var channel: Channel
    /// Who is asked (the citizen, or the deputy for deputy appeals).
    public var respondent: EvaluationSource
    /// When the survey expires.
    public var answerBy: Date?

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date, surveyId: UUID,
                channel: Channel, respondent: EvaluationSource, answerBy: Date? = nil) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.surveyId = surveyId
        self.channel = channel
        self.respondent = respondent
        self.answerBy = answerBy
    }
}
