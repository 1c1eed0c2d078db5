import Foundation

/// The answer to a department's extension request (延期审批), on `minhu.dispatch` with the department's code as routing
/// key.
///
/// On `minhu.dispatch`, routing key `<department code>`; schema `docs/messages/extension-decision.schema.json`.
public struct ExtensionDecision: MinhuMessage, Hashable {
    public static let messageType = "dispatch.extension-decision"
    public static let schemaName = "extension-decision"
    public static let schemaVersion = 1

    /// The appeal.
    public var appealId: UUID
    /// The case number.
    public var caseNumber: String
    /// The round.
    public var round: Int
    /// The dispatch attempt.
    public var attempt: Int
    /// The department that asked.
    public var departmentCode: String
    /// Whether the extension is granted.
    public var approved: Bool
    /// Working days asked for.
    public var requestedWorkingDays: Int
    /// Working days granted (0 when refused).
    public var grantedWorkingDays: Int
    /// The reply-by due time now in force.
    public var replyBy: Date
    /// Why (Chinese), required in practice when refused.
    public var reason: String?
    /// Who decided.
    public var decidedBy: String
    /// When.
    public var decidedAt: Date

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, departmentCode: String, approved: Bool,
                requestedWorkingDays: Int, grantedWorkingDays: Int, replyBy: Date, reason: String? = nil,
                decidedBy: String, decidedAt: Date) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.departmentCode = departmentCode
        self.approved = approved
        self.requestedWorkingDays = requestedWorkingDays
        self.grantedWorkingDays = grantedWorkingDays
        self.replyBy = replyBy
        self.reason = reason
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
    }
}
