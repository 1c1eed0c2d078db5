import Foundation

/// A citizen's answer to a survey invitation, on `minhu.intake` with routing key `<channel>.survey-answer`.
///
/// On `minhu.intake`, routing key `<channel>.survey-answer`; schema `docs/messages/survey-answer.schema.json`.
public struct SurveyAnswer: MinhuMessage, Hashable {
    public static let messageType = "intake.survey-answer"
    public static let schemaName = "survey-answer"
    public static let schemaVersion = 1

    /// The survey, from the invitation.
    public var surveyId: UUID
    /// The case number, from the invitation.
    public var caseNumber: String
    /// The verdict.
    public var satisfaction: Satisfaction
    /// Whether the citizen says the problem is solved.
    public var resolved: Bool?
    /// Whether the citizen says the department contacted them.
    public var contacted: Bool?
    /// Comment (Chinese).
    public var comment: String?
    /// When the citizen answered.
    public var answeredAt: Date

    public init(surveyId: UUID, caseNumber: String, satisfaction: Satisfaction, resolved: Bool? = nil,
                contacted: Bool? = nil, comment: String? = nil, answeredAt: Date) {
        self.surveyId = surveyId
        self.caseNumber = caseNumber
        self.satisfaction = satisfaction
        self.resolved = resolved
        self.contacted = contacted
        self.comment = comment
        self.answeredAt = answeredAt
    }
}
