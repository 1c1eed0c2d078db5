import Foundation

/// The department waits on the citizen; the clocks pause. Published by the department on `minhu.department` with
/// routing key `<code>.awaiting-citizen`; the department code is the routing key's prefix, checked against `user_id`.
///
/// On `minhu.department`, routing key `<code>.awaiting-citizen`; schema
/// `docs/messages/department-awaiting-citizen.schema.json`.
public struct DepartmentAwaitingCitizen: DepartmentActionMessage, Hashable {
    public static let action = DepartmentAction.awaitingCitizen
    public static let messageType = "department.awaiting-citizen"
    public static let schemaName = "department-awaiting-citizen"
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
    /// What it waits for (Chinese).
    public var reason: String

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                handler: String? = nil, reason: String) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.handler = handler
        self.reason = reason
    }
}
