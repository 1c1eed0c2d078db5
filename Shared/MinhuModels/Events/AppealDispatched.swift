import Foundation

/// The appeal was assigned to a lead department (and co-departments) with both due times (按责转办). A redispatch is the
/// next attempt.
///
/// Event `appeal.dispatched` on `minhu.events`, published by minhu-dispatcher; schema
/// `docs/messages/event-appeal-dispatched.schema.json`.
public struct AppealDispatched: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.appealDispatched
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
    /// The lead department (主办).
    public var departmentCode: String
    /// Co-departments (协办), empty unless research tier.
    public var coDepartmentCodes: [String]
    /// Due time of the sign-by clock (签收时限).
    public var signBy: Date
    /// Due time of the reply-by clock (办理时限).
    public var replyBy: Date
    /// The deadline policy applied, e.g. ordinary-5wd.
    public var policy: String
    /// Handling tier.
    public var tier: HandlingTier
    /// Urgency.
    public var urgency: Urgency
    /// The policy's limit in working days; nil for limits in hours.
    public var workingDays: Int?
    /// The agent, for a manual dispatch; nil when automatic.
    public var dispatchedBy: String?
    /// Instructions to the department (Chinese).
    public var note: String?

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                departmentCode: String, coDepartmentCodes: [String] = [], signBy: Date, replyBy: Date,
                policy: String, tier: HandlingTier, urgency: Urgency, workingDays: Int? = nil,
                dispatchedBy: String? = nil, note: String? = nil) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.departmentCode = departmentCode
        self.coDepartmentCodes = coDepartmentCodes
        self.signBy = signBy
        self.replyBy = replyBy
        self.policy = policy
        self.tier = tier
        self.urgency = urgency
        self.workingDays = workingDays
        self.dispatchedBy = dispatchedBy
        self.note = note
    }
}
