import Foundation

/// The citizen added information to an appeal (补充材料).
///
/// Event `appeal.supplemented` on `minhu.events`, published by minhu-intake; schema
/// `docs/messages/event-appeal-supplemented.schema.json`.
public struct AppealSupplemented: LifecycleEventPayload, Hashable {
    public static let eventType = EventType.appealSupplemented
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
    /// The channel the supplement arrived on.
    public var channel: Channel
    /// What the citizen added (Chinese).
    public var text: String
    /// Added photos and documents.
    public var attachments: [URL]

    public init(appealId: UUID, caseNumber: String, round: Int, attempt: Int, occurredAt: Date, channel: Channel,
                text: String, attachments: [URL] = []) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.round = round
        self.attempt = attempt
        self.occurredAt = occurredAt
        self.channel = channel
        self.text = text
        self.attachments = attachments
    }
}
