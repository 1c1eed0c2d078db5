import Foundation

/// The department reported progress (办理进度); after `appeal.awaiting_citizen` it also means work resumed.
///
/// Event `appeal.progressed` on `minhu.events`, published by minhu-dispatcher; schema
/// `docs/messages/event-appeal-progressed.schema.json`.
public struct AppealProgressed: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.appealProgressed
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
    /// What was done (Chinese).
    public var note: String

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                departmentCode: String, note: String) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.departmentCode = departmentCode
        self.note = note
    }
}
