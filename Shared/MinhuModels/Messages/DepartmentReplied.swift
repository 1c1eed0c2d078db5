import Foundation

/// The department replies to the appeal (答复). Published by the department on `minhu.department` with routing key
/// `<code>.replied`; the department code is the routing key's prefix, checked against `user_id`.
///
/// On `minhu.department`, routing key `<code>.replied`; schema `docs/messages/department-replied.schema.json`.
public struct DepartmentReplied: DepartmentActionMessage, Hashable {
    public static let action = DepartmentAction.replied
    public static let messageType = "department.replied"
    public static let schemaName = "department-replied"
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
    /// The reply to the citizen (Chinese).
    public var reply: String
    /// True when the problem is solved (已解决).
    public var resolved: Bool
    /// When the department first contacted the citizen.
    public var contactedAt: Date?
    /// Photos and documents of the result (may be omitted).
    public var attachments: [URL]

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                handler: String? = nil, reply: String, resolved: Bool, contactedAt: Date? = nil,
                attachments: [URL] = []) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.handler = handler
        self.reply = reply
        self.resolved = resolved
        self.contactedAt = contactedAt
        self.attachments = attachments
    }

    /// Decodes, taking omitted optional arrays as empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        appealId = try container.decode(UUID.self, forKey: .appealId)
        caseNumber = try container.decode(String.self, forKey: .caseNumber)
        round = try container.decode(Int.self, forKey: .round)
        attempt = try container.decode(Int.self, forKey: .attempt)
        occurredAt = try container.decode(Date.self, forKey: .occurredAt)
        handler = try container.decodeIfPresent(String.self, forKey: .handler)
        reply = try container.decode(String.self, forKey: .reply)
        resolved = try container.decode(Bool.self, forKey: .resolved)
        contactedAt = try container.decodeIfPresent(Date.self, forKey: .contactedAt)
        attachments = try container.decodeIfPresent([URL].self, forKey: .attachments) ?? []
    }

    private enum CodingKeys: String, CodingKey {
        case appealId, caseNumber, round, attempt, occurredAt, handler, reply, resolved, contactedAt, attachments
    }
}
