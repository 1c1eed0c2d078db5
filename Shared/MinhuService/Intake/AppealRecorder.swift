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
        if let externalId = draft.externalId,
           let existing = try await find(channel: draft.channel, externalId: externalId, on: connection, logger: logger) {
            if acknowledge { try await appendAcknowledgement(existing, draft: draft, on: connection, logger: logger) }
            return existing
        }
        let now = clock.now()
        let deputy = try await DeputyRegistry.lookup(phone: draft.citizen.phone, on: connection, logger: logger)
        var appeal = Appeal(id: UUID(), caseNumber: "", channel: deputy == nil ? draft.channel : .deputy,
                            externalId: draft.externalId, kind: draft.kind, title: draft.title, body: draft.body,
                            submittedAt: draft.submittedAt, location: draft.location, citizen: draft.citizen,
                            attachments: draft.attachments)
        if let deputy { appeal.attribute(to: deputy) }
        let token = Self.newToken()
        let day = LocalDate(now, in: timeZone)
        let dayPrefix = String(format: "%04d%02d%02d", day.year, day.month, day.day)
        let location = try draft.location.map { String(decoding: try MinhuJSON.encode($0), as: UTF8.self) }
        let masked = String(decoding: try MinhuJSON.encode(appeal.citizen.masked), as: UTF8.self)
        let attachments = draft.attachments.map(\.absoluteString)
        let citizen = appeal.citizen
        let rows = try await connection.query("""
            WITH a AS (
                INSERT INTO appeals (id, case_number, channel, arrival_channel, external_id, kind, title, body,
                                     submitted_at, received_at, location, attachments, citizen_masked, from_deputy,
                                     deputy_id, deputy_level, service_code, tracking_token)
                VALUES (\(appeal.id), \(dayPrefix) || '-' || lpad(nextval('appeal_number_seq')::text, 6, '0'),
                        \(appeal.channel.rawValue), \(draft.channel.rawValue), \(draft.externalId),
                        \(draft.kind?.rawValue), \(appeal.title), \(appeal.body), \(appeal.submittedAt), \(now),
                        \(location)::jsonb, \(attachments), \(masked)::jsonb, \(appeal.fromDeputy),
                        \(appeal.deputyId), \(appeal.deputyLevel?.rawValue), \(draft.serviceCode), \(token))
                ON CONFLICT (arrival_channel, external_id) DO NOTHING
                RETURNING id, case_number),
            c AS (
                INSERT INTO citizen_contacts (appeal_id, name, phone, preferred_channel, anonymous)
                SELECT id, \(citizen.anonymous ? nil : citizen.name), \(citizen.phone),
                       \(citizen.preferredChannel?.rawValue), \(citizen.anonymous) FROM a),
            s AS (
                INSERT INTO appeal_status (appeal_id, case_number, status, round, attempt, rank, position_at,
                                           last_event, updated_at)
                SELECT id, case_number, 'received', 1, 0, \(AppealStatus.received.lifecycleRank), \(now),
                       'appeal.received', \(now) FROM a)
            SELECT case_number FROM a
            """, logger: logger)
        var caseNumber: String?
        for try await (number) in rows.decode(String.self) { caseNumber = number }
        guard let caseNumber else {
            // A concurrent submission with the same external id committed first: this is a resend of it.
            guard let externalId = draft.externalId,
                  let existing = try await find(channel: draft.channel, externalId: externalId, on: connection,
                                                logger: logger)
            else { throw IntakeRefusal(field: nil, reason: "the appeal could not be recorded") }
            if acknowledge { try await appendAcknowledgement(existing, draft: draft, on: connection, logger: logger) }
            return existing
        }
        appeal.caseNumber = caseNumber
        var messages = [try MessageEnvelope.event(AppealReceived(appeal: appeal, occurredAt: now),
                                                  producer: Self.producer, at: now)]
        let recorded = RecordedAppeal(appealId: appeal.id, caseNumber: caseNumber, trackingToken: token,
                                      receivedAt: now, channel: appeal.channel, fromDeputy: appeal.fromDeputy,
                                      isNew: true)
        if acknowledge { messages.append(try acknowledgement(recorded, draft: draft)) }
        try await OutboxWriter.append(messages, producer: Self.producer, on: connection, logger: logger)
        logger.info("appeal received", metadata: [
            "case_number": "\(caseNumber)", "channel": "\(appeal.channel)", "arrival_channel": "\(draft.channel)",
            "from_deputy": "\(appeal.fromDeputy)", "citizen.phone": "\(Citizen.maskPhone(citizen.phone))",
        ])
        return recorded
    }

    /// The appeal a channel already submitted under `externalId`, if any.
    public func find(channel: MinhuModels.Channel, externalId: String, on connection: PostgresConnection,
                     logger: Logger) async throws -> RecordedAppeal? {
        let rows = try await connection.query("""
            SELECT id, case_number, tracking_token, received_at, channel, from_deputy FROM appeals
            WHERE arrival_channel = \(channel.rawValue) AND external_id = \(externalId)
            """, logger: logger)
        for try await (id, number, token, received, handledOn, fromDeputy)
            in rows.decode((UUID, String, String, Date, String, Bool).self) {
            return RecordedAppeal(appealId: id, caseNumber: number, trackingToken: token, receivedAt: received,
                                  channel: MinhuModels.Channel(rawValue: handledOn) ?? channel, fromDeputy: fromDeputy,
                                  isNew: false)
        }
        return nil
    }

    private func appendAcknowledgement(_ recorded: RecordedAppeal, draft: AppealDraft, on connection: PostgresConnection,
                                       logger: Logger) async throws {
        try await OutboxWriter.append([try acknowledgement(recorded, draft: draft)], producer: Self.producer,
                                      on: connection, logger: logger)
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
