import Foundation

/// The department signs for an assignment (签收). Published by the department on `minhu.department` with routing key
/// `<code>.signed`; the department code is the routing key's prefix, checked against `user_id`.
///
/// On `minhu.department`, routing key `<code>.signed`; schema `docs/messages/department-signed.schema.json`.
public struct DepartmentSigned: DepartmentActionMessage, Hashable {
    public static let action = DepartmentAction.signed
    public static let messageType = "department.signed"
    public static let schemaName = "department-signed"
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

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                handler: String? = nil) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.handler = handler
    }
}
