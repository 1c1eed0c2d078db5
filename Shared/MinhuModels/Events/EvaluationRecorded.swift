import Foundation

/// A verdict on the handling was recorded: a survey answer, an expert review or a third-party assessment (三评).
///
/// Event `evaluation.recorded` on `minhu.events`, published by minhu-evaluation; schema
/// `docs/messages/event-evaluation-recorded.schema.json`.
public struct EvaluationRecorded: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.evaluationRecorded
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
    /// The survey answered, for citizens and deputies.
    public var surveyId: UUID?
    /// Satisfaction, for surveys.
    public var satisfaction: Satisfaction?
    /// Whether the respondent says the problem is solved.
    public var resolved: Bool?
    /// Whether the respondent says the department contacted them.
    public var contacted: Bool?
    /// Score 0…100, for expert reviews and third-party assessments.
    public var score: Double?
    /// Comment (Chinese).
    public var comment: String?
    /// The expert or assessor.
    public var evaluator: String?

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                source: EvaluationSource, surveyId: UUID? = nil, satisfaction: Satisfaction? = nil,
                resolved: Bool? = nil, contacted: Bool? = nil, score: Double? = nil, comment: String? = nil,
                evaluator: String? = nil) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.source = source
        self.surveyId = surveyId
        self.satisfaction = satisfaction
        self.resolved = resolved
        self.contacted = contacted
        self.score = score
        self.comment = comment
        self.evaluator = evaluator
    }
}
