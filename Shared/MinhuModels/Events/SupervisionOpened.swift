import Foundation

/// A supervision case (督办) was opened on the appeal.
///
/// Event `supervision.opened` on `minhu.events`, published by minhu-supervision; schema
/// `docs/messages/event-supervision-opened.schema.json`.
public struct SupervisionOpened: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.supervisionOpened
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
    /// The supervision case.
    public var supervisionId: UUID
    /// Supervision level, 1 = reminder (催办), 2 = supervision (督办), 3 = listed supervision (挂牌督办).
    public var level: Int
    /// What triggered it.
    public var reason: SupervisionReason
    /// The department supervised.
    public var departmentCode: String?
    /// The hotspot cluster, for supervision of a hotspot.
    public var clusterId: UUID?
    /// Remark (Chinese).
    public var note: String?

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date, supervisionId: UUID,
                level: Int, reason: SupervisionReason, departmentCode: String? = nil, clusterId: UUID? = nil,
                note: String? = nil) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.supervisionId = supervisionId
        self.level = level
        self.reason = reason
        self.departmentCode = departmentCode
        self.clusterId = clusterId
        self.note = note
    }
}
