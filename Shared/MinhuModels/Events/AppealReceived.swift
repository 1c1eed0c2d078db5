import Foundation

/// Intake committed a new appeal. Carries the appeal with the citizen masked; the full contact stays in the case
/// file.
///
/// Event `appeal.received` on `minhu.events`, published by minhu-intake; schema
/// `docs/messages/event-appeal-received.schema.json`.
public struct AppealReceived: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.appealReceived
    public static let schemaVersion = 1

    /// The appeal.
    public var appealId: UUID
    /// The case number the citizen was told.
    public var caseNumber: String
    /// Handling round, 1 for the first; a reopened appeal starts the next.
    public var round: Int
    /// Dispatch attempt within the round: 0 before the first dispatch, +1 per dispatch.
    public var attempt: Int
    /// When it happened.
    public var occurredAt: Date
    /// The channel it is handled on: the one it arrived on, or `deputy` for a registered deputy's appeal.
    public var channel: Channel
    /// The channel it arrived on (where acknowledgements, replies and surveys go), also for a deputy's appeal.
    public var arrivalChannel: Channel?
    /// The Open311 service code the citizen chose, when it came through Open311.
    public var serviceCode: String?
    /// The channel's own id for the submission.
    public var externalId: String?
    /// The kind the citizen or agent chose; nil leaves it to the classifier.
    public var kind: AppealKind?
    /// Title (Chinese).
    public var title: String
    /// What the citizen said (Chinese).
    public var body: String
    /// When the citizen submitted it on the channel.
    public var submittedAt: Date
    /// Where it is about.
    public var location: Location?
    /// The citizen, masked.
    public var citizen: MaskedCitizen
    /// Photos and documents.
    public var attachments: [URL]
    /// True when it came from a registered deputy's phone.
    public var fromDeputy: Bool
    /// The deputy's level when from a deputy.
    public var deputyLevel: DeputyLevel?
    /// The registered deputy.
    public var deputyId: UUID?

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date, channel: Channel,
                externalId: String? = nil, kind: AppealKind? = nil, title: String, body: String, submittedAt: Date,
                location: Location? = nil, citizen: MaskedCitizen, attachments: [URL] = [], fromDeputy: Bool,
                deputyLevel: DeputyLevel? = nil, deputyId: UUID? = nil, arrivalChannel: Channel? = nil,
                serviceCode: String? = nil) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
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
        self.arrivalChannel = arrivalChannel
        self.serviceCode = serviceCode
    }
}
