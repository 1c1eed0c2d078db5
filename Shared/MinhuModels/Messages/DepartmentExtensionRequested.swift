import Foundation

/// The department asks for more time (申请延期). Published by the department on `minhu.department` with routing key
/// `<code>.extension-requested`; the department code is the routing key's prefix, checked against `user_id`.
///
/// On `minhu.department`, routing key `<code>.extension-requested`; schema
/// `docs/messages/department-extension-requested.schema.json`.
public struct DepartmentExtensionRequested: DepartmentActionMessage, Hashable {
    public static let action = DepartmentAction.extensionRequested
    public static let messageType = "department.extension-requested"
    public static let schemaName = "department-extension-requested"
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
    /// Working days asked for.
    public var workingDays: Int
    /// Why (Chinese).
    public var reason: String

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                handler: String? = nil, workingDays: Int, reason: String) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.handler = handler
        self.workingDays = workingDays
        self.reason = reason
    }
}
