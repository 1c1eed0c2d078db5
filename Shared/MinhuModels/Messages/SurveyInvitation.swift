import Foundation

/// Asks the citizen, through their channel, to evaluate the reply; the answer comes back as a `SurveyAnswer`.
///
/// On `minhu.outbound`, routing key `<channel>`; schema `docs/messages/survey-invitation.schema.json`.
public struct SurveyInvitation: MinhuMessage, Hashable {
    public static let messageType = "outbound.survey-invitation"
    public static let schemaName = "survey-invitation"
    public static let schemaVersion = 1

    /// The survey; the answer must carry it.
    public var surveyId: UUID
    /// The appeal.
    public var appealId: UUID
    /// The case number.
    public var caseNumber: String
    /// The channel to ask on.
    public var channel: Channel
    /// The channel's id of the submission.
    public var externalId: String?
    /// The citizen's phone, for channels that reach them by SMS or call.
    public var phone: String?
    /// The invitation (Chinese).
    public var text: String
    /// When the survey expires.
    public var answerBy: Date?
    /// When it was issued.
    public var sentAt: Date

    public init(surveyId: UUID, appealId: UUID, caseNumber: String, channel: Channel, externalId: String? = nil,
                phone: String? = nil, text: String, answerBy: Date? = nil, sentAt: Date) {
        self.surveyId = surveyId
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.channel = channel
        self.externalId = externalId
        self.phone = phone
        self.text = text
        self.answerBy = answerBy
        self.sentAt = sentAt
    }
}
