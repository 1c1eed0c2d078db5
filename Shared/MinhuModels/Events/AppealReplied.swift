import Foundation

/// The department replied (答复); stops the reply-by clock and starts the survey.
///
/// Event `appeal.replied` on `minhu.events`, published by minhu-dispatcher; schema
/// `docs/messages/event-appeal-replied.schema.json`.
public struct AppealReplied: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.appealReplied
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
    /// The department concerned.
    public var departmentCode: String
    /// The reply text to the citizen (Chinese).
    public var reply: String
    /// True when the department reports the problem solved (已解决).
    public var resolved: Bool
    /// When the department first contacted the citizen.
    public var contactedAt: Date?
    /// Who replied.
    public var handler: String?
    /// Photos and documents of the result.
    public var attachments: [URL]

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                departmentCode: String, reply: String, resolved: Bool, contactedAt: Date? = nil,
                handler: String? = nil, attachments: [URL] = []) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.departmentCode = departmentCode
        self.reply = reply
        self.resolved = resolved
        self.contactedAt = contactedAt
        self.handler = handler
        self.attachments = attachments
    }
}
