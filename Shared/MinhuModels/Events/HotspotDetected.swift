import Foundation

/// A cluster of same-source appeals reached the hotspot threshold within its window.
///
/// Event `hotspot.detected` on `minhu.events`, published by minhu-dispatcher; schema
/// `docs/messages/event-hotspot-detected.schema.json`.
public struct HotspotDetected: EventPayload, Hashable {
    public static let eventType = EventType.hotspotDetected
    public static let schemaVersion = 1

    /// The cluster.
    public var clusterId: UUID
    /// Appeals in the cluster within the window.
    public var size: Int
    /// The size that makes a hotspot.
    public var threshold: Int
    /// The people among those appeals: distinct citizens by masked phone (an appeal without one counts as one
    /// person); nil from a publisher that does not count them.
    public var people: Int?
    /// Start of the window counted.
    public var windowStart: Date
    /// End of the window counted.
    public var windowEnd: Date
    /// A title for the hotspot (Chinese).
    public var title: String
    /// Where.
    public var place: Place
    /// The category the cluster shares.
    public var category: CategoryPath?
    /// The appeals of the cluster.
    public var memberAppealIds: [UUID]
    /// When it was detected.
    public var occurredAt: Date

    public init(clusterId: UUID, size: Int, threshold: Int, people: Int? = nil, windowStart: Date, windowEnd: Date,
                title: String, place: Place, category: CategoryPath? = nil, memberAppealIds: [UUID], occurredAt: Date) {
        self.clusterId = clusterId
        self.size = size
        self.threshold = threshold
        self.people = people
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.title = title
        self.place = place
        self.category = category
        self.memberAppealIds = memberAppealIds
        self.occurredAt = occurredAt
    }

    /// The correlation id: the cluster.
    public var correlationID: String? { clusterId.uuidString }
}
