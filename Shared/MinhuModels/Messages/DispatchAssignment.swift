import Foundation

/// An appeal assigned to a department (lead or co-department), on `minhu.dispatch` with the department's code as
/// routing key. Carries the citizen's full contact: the department must reach the citizen.
///
/// On `minhu.dispatch`, routing key `<department code>`; schema `docs/messages/dispatch-assignment.schema.json`.
public struct DispatchAssignment: MinhuMessage, Hashable {
    public static let messageType = "dispatch.assignment"
    public static let schemaName = "dispatch-assignment"
    public static let schemaVersion = 1

    /// The appeal; department actions must carry it.
    public var appealId: UUID
    /// The case number.
    public var caseNumber: String
    /// The round; department actions must carry it.
    public var round: Int
    /// The dispatch attempt; department actions must carry it.
    public var attempt: Int
    /// The department this assignment is for.
    public var departmentCode: String
    /// Lead (主办) or co-department (协办).
    public var role: AssignmentRole
    /// The lead department.
    public var leadDepartmentCode: String
    /// The co-departments.
    public var coDepartmentCodes: [String]
    /// The handling channel, as `appeal.received`'s `channel`: `deputy` for a deputy's appeal, whatever channel it
    /// arrived on (`appeal.received`'s `arrival_channel`).
    public var channel: Channel
    /// Appeal kind.
    public var kind: AppealKind
    /// Urgency.
    public var urgency: Urgency
    /// Handling tier.
    public var tier: HandlingTier
    /// Category.
    public var category: CategoryPath
    /// Title (Chinese).
    public var title: String
    /// What the citizen said (Chinese).
    public var body: String
    /// When the citizen submitted it.
    public var submittedAt: Date
    /// Where it is about.
    public var location: Location?
    /// The citizen with full contact.
    public var citizen: Citizen
    /// Photos and documents.
    public var attachments: [URL]
    /// True for an appeal from a deputy (deputy deadlines, evaluated by the deputy).
    public var fromDeputy: Bool
    /// The deputy's level.
    public var deputyLevel: DeputyLevel?
    /// Sign for it by then (签收时限).
    public var signBy: Date
    /// Reply by then (办理时限).
    public var replyBy: Date
    /// Instructions (Chinese).
    public var note: String?
    /// When it was issued.
    public var issuedAt: Date

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, departmentCode: String,
                role: AssignmentRole, leadDepartmentCode: String, coDepartmentCodes: [String] = [], channel: Channel,
                kind: AppealKind, urgency: Urgency, tier: HandlingTier, category: CategoryPath, title: String,
                body: String, submittedAt: Date, location: Location? = nil, citizen: Citizen,
                attachments: [URL] = [], fromDeputy: Bool, deputyLevel: DeputyLevel? = nil, signBy: Date,
                replyBy: Date, note: String? = nil, issuedAt: Date) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.departmentCode = departmentCode
        self.role = role
        self.leadDepartmentCode = leadDepartmentCode
        self.coDepartmentCodes = coDepartmentCodes
        self.channel = channel
        self.kind = kind
        self.urgency = urgency
        self.tier = tier
        self.category = category
        self.title = title
        self.body = body
        self.submittedAt = submittedAt
        self.location = location
        self.citizen = citizen
        self.attachments = attachments
        self.fromDeputy = fromDeputy
        self.deputyLevel = deputyLevel
        self.signBy = signBy
        self.replyBy = replyBy
        self.note = note
        self.issuedAt = issuedAt
    }
}
