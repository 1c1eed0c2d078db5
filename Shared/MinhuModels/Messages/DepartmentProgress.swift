import Foundation

/// The department reports progress (办理进度). Published by the department on `minhu.department` with routing key
/// `<code>.progress`; the department code is the routing key's prefix, checked against `user_id`.
///
/// On `minhu.department`, routing key `<code>.progress`; schema `docs/messages/department-progress.schema.json`.
public struct DepartmentProgress: DepartmentActionMessage, Hashable {
    public static let action = DepartmentAction.progress
    public static let messageType = "department.progress"
    public static let schemaName = "department-progress"
    public static let schemaVersion = 1

    /// The appeal, as on the assignment.
    public var appealId: UUID
    /// The case number, as on the assignment.
    public var caseNumber: String
    /// The round, as on the assignment.
    public var round: Int
    /// The dispatch attempt, as on the assignment.
    public var attempt: Int
    /// When the department did it.
    public var occurredAt: Date
    /// The department staff member who did it (经办人).
    public var handler: String?
    /// What was done (Chinese).
    public var note: String

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                handler: String? = nil, note: String) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.handler = handler
        self.note = note
    }
}
