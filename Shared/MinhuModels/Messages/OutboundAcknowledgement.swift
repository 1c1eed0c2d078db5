import Foundation

/// Tells the citizen, through their channel, that the appeal was accepted, with its case number and tracking link.
///
/// On `minhu.outbound`, routing key `<channel>`; schema `docs/messages/outbound-acknowledgement.schema.json`.
public struct OutboundAcknowledgement: MinhuMessage, Hashable {
    public static let messageType = "outbound.acknowledgement"
    public static let schemaName = "outbound-acknowledgement"
    public static let schemaVersion = 1

    /// The appeal.
    public var appealId: UUID
    /// The case number.
    public var caseNumber: String
    /// The channel to answer on.
    public var channel: Channel
    /// The channel's id of the submission.
    public var externalId: String?
    /// The citizen's phone, for channels that reach them by SMS or call.
    public var phone: String?
    /// The message to show the citizen (Chinese).
    public var text: String
    /// Where the citizen follows the appeal's timeline.
    public var trackingUrl: URL
    /// When the appeal was committed.
    public var acceptedAt: Date

    public init(appealId: UUID, caseNumber: String, channel: Channel, externalId: String? = nil,
                phone: String? = nil, text: String, trackingUrl: URL, acceptedAt: Date) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.channel = channel
        self.externalId = externalId
        self.phone = phone
        self.text = text
        self.trackingUrl = trackingUrl
        self.acceptedAt = acceptedAt
    }
}
