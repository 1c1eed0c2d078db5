import Foundation

/// An appeal (诉求) as the case file holds it, with the citizen's full contact.
public struct Appeal: Hashable, Sendable, Codable, Identifiable {
    public var id: UUID
    /// The case number (受理编号) told to the citizen, e.g. 20250609-000123.
    public var caseNumber: String
    public var channel: Channel
    /// The channel's own id for the submission (with the channel it arrived on, the key that makes intake
    /// idempotent: `appeals (arrival_channel, external_id)`).
    public var externalId: String?
    /// The kind the citizen or agent chose; the classifier decides when nil.
    public var kind: AppealKind?
    public var title: String
    public var body: String
    public var submittedAt: Date
    public var location: Location?
    public var citizen: Citizen
    public var attachments: [URL]
    /// True when it came from a registered deputy's phone (handled on the deputy channel's deadlines).
    public var fromDeputy: Bool
    public var deputyLevel: DeputyLevel?
    public var deputyId: UUID?

    public init(id: UUID = UUID(), caseNumber: String, channel: Channel, externalId: String? = nil,
                kind: AppealKind? = nil, title: String, body: String, submittedAt: Date, location: Location? = nil,
                citizen: Citizen, attachments: [URL] = [], fromDeputy: Bool = false,
                deputyLevel: DeputyLevel? = nil, deputyId: UUID? = nil) {
        self.id = id
        self.caseNumber = caseNumber
        self.channel = channel
        self.externalId = externalId
        self.kind = kind
        self.title = title
        self.body = body
        self.submittedAt = submittedAt
        self.location = location
        self.citizen = citizen
        self.attachments = attachments
        self.fromDeputy = fromDeputy
        self.deputyLevel = deputyLevel
        self.deputyId = deputyId
    }

    /// Marks the appeal as coming from `deputy`.
    public mutating func attribute(to deputy: Deputy) {
        fromDeputy = true
        deputyLevel = deputy.level
        deputyId = deputy.id
    }
}
