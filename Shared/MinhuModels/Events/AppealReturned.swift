import Foundation

/// The department returned the assignment (退单) with a reason; the dispatcher redispatches it as the next attempt.
///
/// Event `appeal.returned` on `minhu.events`, published by minhu-dispatcher; schema
/// `docs/messages/event-appeal-returned.schema.json`.
public struct AppealReturned: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.appealReturned
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
    /// Why (Chinese).
    public var reason: String
    /// The department it says is responsible.
    public var suggestedDepartmentCode: String?

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                departmentCode: String, reason: String, suggestedDepartmentCode: String? = nil) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.departmentCode = departmentCode
        self.reason = reason
        self.suggestedDepartmentCode = suggestedDepartmentCode
    }
}
