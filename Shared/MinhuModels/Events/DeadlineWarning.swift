import Foundation

/// A clock crossed a warning share of its limit (黄灯), measured in working time.
///
/// Event `deadline.warning` on `minhu.events`, published by minhu-deadlines; schema
/// `docs/messages/event-deadline-warning.schema.json`.
public struct DeadlineWarning: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.deadlineWarning
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
    /// Which clock.
    public var clock: DeadlineClock
    /// The share of the limit elapsed, e.g. 0.8.
    public var thresholdShare: Double
    /// The due time in force.
    public var dueAt: Date

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                departmentCode: String, clock: DeadlineClock, thresholdShare: Double, dueAt: Date) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.departmentCode = departmentCode
        self.clock = clock
        self.thresholdShare = thresholdShare
        self.dueAt = dueAt
    }
}
