import Foundation

/// The dispatcher classified the appeal (automatically or at the manual desk).
///
/// Event `appeal.classified` on `minhu.events`, published by minhu-dispatcher; schema
/// `docs/messages/event-appeal-classified.schema.json`.
public struct AppealClassified: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.appealClassified
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
    /// Category in the three-level taxonomy.
    public var category: CategoryPath
    /// The classifier's confidence, 0…1 (1 for a manual classification).
    public var confidence: Double
    /// Appeal kind.
    public var kind: AppealKind
    /// Urgency.
    public var urgency: Urgency
    /// Handling tier.
    public var tier: HandlingTier
    /// The place found in the text.
    public var place: Place
    /// The cluster of same-source appeals (同源诉求) it was merged into.
    public var clusterId: UUID?
    /// True when an agent classified it at the manual desk.
    public var manual: Bool
    /// The lead department the routing rules chose, if any.
    public var departmentCode: String?
    /// The agent, for a manual classification.
    public var classifiedBy: String?

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date,
                category: CategoryPath, confidence: Double, kind: AppealKind, urgency: Urgency, tier: HandlingTier,
                place: Place, clusterId: UUID? = nil, manual: Bool, departmentCode: String? = nil,
                classifiedBy: String? = nil) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.category = category
        self.confidence = confidence
        self.kind = kind
        self.urgency = urgency
        self.tier = tier
        self.place = place
        self.clusterId = clusterId
        self.manual = manual
        self.departmentCode = departmentCode
        self.classifiedBy = classifiedBy
    }
}
