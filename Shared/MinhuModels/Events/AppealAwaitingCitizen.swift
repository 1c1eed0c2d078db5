import Foundation

/// The department waits on the citizen (e.g. for access or documents); both clocks pause until `appeal.supplemented`
/// or `appeal.progressed`.
///
/// Event `appeal.awaiting_citizen` on `minhu.events`, published by minhu-dispatcher; schema
/// `docs/messages/event-appeal-awaiting-citizen.schema.json`.
public struct AppealAwaitingCitizen: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.appealAwaitingCitizen
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
    /// What the department waits for (Chinese).
    public var reason: String

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                departmentCode: String, reason: String) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.departmentCode = departmentCode
        self.reason = reason
    }
}
