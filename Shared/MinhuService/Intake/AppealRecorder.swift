import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// An appeal intake has committed: what the channel is told.
public struct RecordedAppeal: Sendable, Hashable {
    public var appealId: UUID
    /// 编号, e.g. `20261122-000123`.
    public var caseNumber: String
    public var trackingToken: String
    public var receivedAt: Date
    /// The channel it is handled on (`deputy` for a registered deputy's phone).
    public var channel: MinhuModels.Channel
    public var fromDeputy: Bool
    /// False when the submission was a resend of one already recorded (same channel and external id).
    public var isNew: Bool
}

/// Commits an appeal: one case file (appeals + citizen_contacts + appeal_status) and one `appeal.received` event
/// in the outbox, in the caller's transaction (DESIGN §5, "one appeal, one event"). A resend (same channel and
/// external id) is the appeal already recorded. A caller phone that belongs to a registered deputy moves the
/// appeal to the deputy channel, flagged with the deputy and level.
public struct AppealRecorder: Sendable {
    public static let producer = "minhu-intake"
    public let clock: any MinhuClock
    public let timeZone: TimeZone
    /// The base of tracking links, e.g. `https://12345.example.gov.cn`.
    public let publicBaseURL: URL

    public init(clock: any MinhuClock = SystemClock(), timeZone: TimeZone, publicBaseURL: URL) {
        self.clock = clock
        self.timeZone = timeZone
        self.publicBaseURL = publicBaseURL
    }

    /// The citizen's tracking link: the appeal's public view.
    public func trackingURL(caseNumber: String, token: String) -> URL {
        let base = publicBaseURL.absoluteString.hasSuffix("/")
            ? String(publicBaseURL.absoluteString.dropLast()) : publicBaseURL.absoluteString
        return URL(string: "\(base)/v1/appeals/\(caseNumber)?token=\(token)")!
    }

    /// Records a validated draft on `connection`, which must be in an open transaction.
    ///
    /// - Parameter acknowledge: also append the acknowledgement for the citizen to `minhu.outbound` with the
    ///   arrival channel's key (AMQP intake; HTTP callers get the answer directly).
    public func record(_ draft: AppealDraft, acknowledge: Bool, on connection: PostgresConnection,
                       logger: Logger) async throws -> RecordedAppeal {
        let (recorded, messages) = try await AppealBatchRecorder(recorder: self)
            .record([draft], acknowledge: acknowledge, on: connection, logger: logger)
        try await OutboxWriter.append(messages, producer: Self.producer, on: connection, logger: logger)
        guard let appeal = recorded.first else { throw AppealBatchRecorder.NotRecorded() }
        return appeal
    }

    /// The acknowledgement for the citizen on `minhu.outbound`, routed by the arrival channel.
    func acknowledgement(_ recorded: RecordedAppeal, draft: AppealDraft) throws -> OutgoingMessage {
        let url = trackingURL(caseNumber: recorded.caseNumber, token: recorded.trackingToken)
        let text = "您的诉求已受理，受理编号：\(recorded.caseNumber)。可通过以下链接查询办理进度：\(url.absoluteString)"
        let message = OutboundAcknowledgement(appealId: recorded.appealId, caseNumber: recorded.caseNumber,
                                              channel: draft.channel, externalId: draft.externalId, phone: nil,
                                              text: text, trackingUrl: url, acceptedAt: recorded.receivedAt)
        return try MessageEnvelope.message(message, route: .outbound(channel: draft.channel), producer: Self.producer,
                                           at: clock.now(), correlationID: recorded.appealId.uuidString)
    }

    /// 128 random bits, hex: the secret of a tracking link.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }
}
