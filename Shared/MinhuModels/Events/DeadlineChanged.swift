import Foundation

/// The due times changed: an extension was granted, or the clocks paused or resumed; or an extension request was
/// decided and denied (`approved: false`, the due times unchanged). Carries the due times now in force; a clock that
/// is paused or already stopped has none.
///
/// Event `deadline.changed` on `minhu.events`, published by minhu-deadlines; schema
/// `docs/messages/event-deadline-changed.schema.json`.
public struct DeadlineChanged: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.deadlineChanged
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
    /// Why.
    public var reason: DeadlineChangeReason
    /// The sign-by due time now in force; nil while paused or once signed.
    public var signBy: Date?
    /// The reply-by due time now in force; nil while paused.
    public var replyBy: Date?
    /// Working days granted, for an extension (0 when denied).
    public var extensionWorkingDays: Int?
    /// For reason `extension`: whether the request was granted (false: denied, the due times unchanged); nil for a
    /// pause or a resume. Optional, so version 1 consumers may ignore it.
    public var approved: Bool?
    /// Who decided (a person, or the service for pause and resume).
    public var decidedBy: String
    /// Remark (Chinese).
    public var note: String?

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                departmentCode: String, reason: DeadlineChangeReason, signBy: Date? = nil, replyBy: Date? = nil,
                extensionWorkingDays: Int? = nil, approved: Bool? = nil, decidedBy: String, note: String? = nil) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.departmentCode = departmentCode
        self.reason = reason
        self.signBy = signBy
        self.replyBy = replyBy
        self.extensionWorkingDays = extensionWorkingDays
        self.approved = approved
        self.decidedBy = decidedBy
        self.note = note
    }
}
