import Foundation

/// The department returns an assignment that is not its responsibility (退单). Published by the department on
/// `minhu.department` with routing key `<code>.returned`; the department code is the routing key's prefix, checked
/// against `user_id`.
///
/// On `minhu.department`, routing key `<code>.returned`; schema `docs/messages/department-returned.schema.json`.
public struct DepartmentReturned: DepartmentActionMessage, Hashable {
    public static let action = DepartmentAction.returned
    public static let messageType = "department.returned"
    public static let schemaName = "department-returned"
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
    /// Why (Chinese).
    public var reason: String
    /// The department it believes responsible.
    public var suggestedDepartmentCode: String?

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                handler: String? = nil, reason: String, suggestedDepartmentCode: String? = nil) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.handler = handler
        self.reason = reason
        self.suggestedDepartmentCode = suggestedDepartmentCode
    }
}
