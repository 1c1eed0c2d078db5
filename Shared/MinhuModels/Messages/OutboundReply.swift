import Foundation

/// A reply or notice to the citizen through their channel: the department's reply, a rejection (不予受理) with its
/// reason, or another notice.
///
/// On `minhu.outbound`, routing key `<channel>`; schema `docs/messages/outbound-reply.schema.json`.
public struct OutboundReply: MinhuMessage, Hashable {
    public static let messageType = "outbound.reply"
    public static let schemaName = "outbound-reply"
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
    /// What it is.
    public var kind: OutboundReplyKind
    /// The text (Chinese).
    public var text: String
    /// The department that handled it (Chinese).
    public var departmentName: String?
    /// Where the citizen follows the appeal's timeline.
    public var trackingUrl: URL
    /// When it was issued.
    public var sentAt: Date

    public init(appealId: UUID, caseNumber: String, channel: Channel, externalId: String? = nil,
                phone: String? = nil, kind: OutboundReplyKind, text: String, departmentName: String? = nil,
                trackingUrl: URL, sentAt: Date) {
        self.appealId = appealId
        self.caseNumber = caseNumber
        self.channel = channel
        self.externalId = externalId
        self.phone = phone
        self.kind = kind
        self.text = text
        self.departmentName = departmentName
        self.trackingUrl = trackingUrl
        self.sentAt = sentAt
    }
}
