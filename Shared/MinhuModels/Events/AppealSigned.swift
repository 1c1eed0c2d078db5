import Foundation

/// The department signed for the assignment (签收); stops the sign-by clock.
///
/// Event `appeal.signed` on `minhu.events`, published by minhu-dispatcher; schema
/// `docs/messages/event-appeal-signed.schema.json`.
public struct AppealSigned: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.appealSigned
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
    /// Who signed.
    public var handler: String?

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                departmentCode: String, handler: String? = nil) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.departmentCode = departmentCode
        self.handler = handler
    }
}
