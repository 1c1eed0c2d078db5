import Foundation

/// The department asked for more time (申请延期); the deadlines service decides.
///
/// Event `appeal.extension_requested` on `minhu.events`, published by minhu-dispatcher; schema
/// `docs/messages/event-appeal-extension-requested.schema.json`.
public struct AppealExtensionRequested: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.appealExtensionRequested
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
    /// Working days requested.
    public var workingDays: Int
    /// Why (Chinese).
    public var reason: String

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                departmentCode: String, workingDays: Int, reason: String) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.departmentCode = departmentCode
        self.workingDays = workingDays
        self.reason = reason
    }
}
