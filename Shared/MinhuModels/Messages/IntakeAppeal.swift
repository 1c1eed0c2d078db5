import Foundation

/// A new appeal an integrator submits on `minhu.intake` with routing key `<channel>.appeal`. The channel comes from
/// the routing key (checked against `user_id`); `external_id` makes the submission idempotent.
///
/// On `minhu.intake`, routing key `<channel>.appeal`; schema `docs/messages/intake-appeal.schema.json`.
public struct IntakeAppeal: MinhuMessage, Hashable {
    public static let messageType = "intake.appeal"
    public static let schemaName = "intake-appeal"
    public static let schemaVersion = 1

    /// The channel's own id for the submission (idempotency key with the channel).
    public var externalId: String
    /// The kind, if the citizen chose one.
    public var kind: AppealKind?
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
    /// Photos and documents (may be omitted).
    public var attachments: [URL]

    public init(externalId: String, kind: AppealKind? = nil, title: String, body: String, submittedAt: Date,
                location: Location? = nil, citizen: Citizen, attachments: [URL] = []) {
        self.externalId = externalId
        self.kind = kind
        self.title = title
        self.body = body
        self.submittedAt = submittedAt
        self.location = location
        self.citizen = citizen
        self.attachments = attachments
    }

    /// Decodes, taking omitted optional arrays as empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        externalId = try container.decode(String.self, forKey: .externalId)
        kind = try container.decodeIfPresent(AppealKind.self, forKey: .kind)
        title = try container.decode(String.self, forKey: .title)
        body = try container.decode(String.self, forKey: .body)
        submittedAt = try container.decode(Date.self, forKey: .submittedAt)
        location = try container.decodeIfPresent(Location.self, forKey: .location)
        citizen = try container.decode(Citizen.self, forKey: .citizen)
        attachments = try container.decodeIfPresent([URL].self, forKey: .attachments) ?? []
    }

    private enum CodingKeys: String, CodingKey {
        case externalId, kind, title, body, submittedAt, location, citizen, attachments
    }
}
