import Foundation

/// A notice to a department on `minhu.dispatch` (routing key: its code): a reminder, a supervision letter, a recall
/// of a superseded assignment, or the refusal of one of its messages.
///
/// On `minhu.dispatch`, routing key `<department code>`; schema `docs/messages/department-notice.schema.json`.
public struct DepartmentNotice: MinhuMessage, Hashable {
    public static let messageType = "dispatch.notice"
    public static let schemaName = "department-notice"
    public static let schemaVersion = 1

    /// The department.
    public var departmentCode: String
    /// What it is.
    public var kind: DepartmentNoticeKind
    /// The appeal concerned, if one.
    public var appealId: UUID?
    /// Its case number.
    public var caseNumber: String?
    /// Its round.
    public var round: Int?
    /// Its dispatch attempt.
    public var attempt: Int?
    /// Title (Chinese).
    public var title: String
    /// Text (Chinese).
    public var text: String
    /// When the department must act by, if it must.
    public var dueAt: Date?
    /// The message refused, for a refusal.
    public var refersToMessageId: UUID?
    /// The service or person that issued it.
    public var issuedBy: String
    /// When.
    public var issuedAt: Date

    public init(departmentCode: String, kind: DepartmentNoticeKind, appealId: UUID? = nil, caseNumber: String? = nil,
                round: Int? = nil, attempt: Int? = nil, title: String, text: String, dueAt: Date? = nil,
                refersToMessageId: UUID? = nil, issuedBy: String, issuedAt: Date) {
        self.departmentCode = departmentCode
        self.kind = kind
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.title = title
        self.text = text
        self.dueAt = dueAt
        self.refersToMessageId = refersToMessageId
        self.issuedBy = issuedBy
        self.issuedAt = issuedAt
    }
}
