import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// The handler of `intake.channels`: integrators' `<channel>.appeal` and `<channel>.supplement` messages on
/// `minhu.intake` (docs/intake.md, "AMQP intake").
///
/// `decode` checks that the broker user (`user_id`, which RabbitMQ verifies against the connection's login) is
/// `integrator.<channel>`, then the JSON Schema's fields and intake's rules; any failure dead-letters the message
/// with its reason. `apply` records the batch's appeals together (`AppealBatchRecorder`; a resend with the same
/// `external_id` is the same appeal) with their acknowledgements for the channel, in the batch's transaction; the
/// consumer acks only after the commit. A
/// supplement for an appeal that cannot be found becomes a dead letter through the outbox (same transaction).
public struct ChannelIntakeHandler: MessageHandler {
    public enum Message: Sendable {
        case appeal(AppealDraft)
        case supplement(IntakeSupplement, channel: MinhuModels.Channel, original: OutgoingMessage)
    }

    public static let queue = "intake.channels"
    /// The largest message body taken, in bytes: an appeal at every field's limit, its Chinese text escaped as
    /// `\uXXXX`, stays well below it. Larger ones are dead-lettered before they are parsed.
    public static let maxBodyBytes = 256 * 1024
    public let recorder: AppealRecorder

    public init(recorder: AppealRecorder) {
        self.recorder = recorder
    }

    /// The broker user an integrator of `channel` connects as.
    public static func integratorUser(of channel: MinhuModels.Channel) -> String { "integrator.\(channel.rawValue)" }

    public func decode(_ delivery: AMQPDelivery) throws -> Message {
        guard let (channel, kind) = IntakeMessageKind.parse(routingKey: delivery.routingKey), kind != .surveyAnswer else {
            throw MessageRejection("routing key '\(delivery.routingKey)' is not <channel>.appeal or <channel>.supplement")
        }
        guard let user = delivery.properties.userID, !user.isEmpty else {
            throw MessageRejection("missing user_id property: integrators publish with user_id = their broker user")
        }
        guard user == Self.integratorUser(of: channel) else {
            throw MessageRejection("user '\(user)' may not submit for channel '\(channel)' (expected '\(Self.integratorUser(of: channel))')")
        }
        let version: Int?
        do {
            version = try MessageEnvelope.schemaVersion(fromHeader: delivery.properties.headers[MessageEnvelope.schemaVersionHeader])
        } catch {
            throw MessageRejection("bad schema_version header: \(error)")
        }
        guard delivery.body.count <= Self.maxBodyBytes else {
            throw MessageRejection("body of \(delivery.body.count) bytes: the limit is \(Self.maxBodyBytes)")
        }
        guard String(validating: delivery.body, as: UTF8.self) != nil else {
            throw MessageRejection("body is not valid UTF-8")
        }
        switch kind {
        case .appeal:
            let message: IntakeAppeal
            do {
                message = try MessageEnvelope.decode(IntakeAppeal.self, from: delivery.body, schemaVersion: version)
            } catch {
                throw MessageRejection("\(IntakeAppeal.messageType): \(MinhuJSON.describe(error))")
            }
            switch AppealDraft(message, channel: channel).validated(now: recorder.clock.now()) {
            case .success(let draft): return .appeal(draft)
            case .failure(let refusal): throw MessageRejection("\(IntakeAppeal.messageType): \(refusal)")
            }
        case .supplement:
            let message: IntakeSupplement
            do {
                message = try MessageEnvelope.decode(IntakeSupplement.self, from: delivery.body, schemaVersion: version)
            } catch {
                throw MessageRejection("\(IntakeSupplement.messageType): \(MinhuJSON.describe(error))")
            }
            if let refusal = message.refusal(now: recorder.clock.now()) {
                throw MessageRejection("\(IntakeSupplement.messageType): \(refusal)")
            }
            // (The type is the one this message was read as: an integrator's own `type` could hold anything, a NUL
            // included, which the outbox could not store.)
            let original = OutgoingMessage(messageID: delivery.messageID ?? UUID(), exchange: delivery.exchange,
                                           routingKey: delivery.routingKey, type: IntakeSupplement.messageType,
                                           timestamp: recorder.clock.now(), appID: user, userID: nil,
                                           schemaVersion: version ?? 1, body: delivery.body)
            return .supplement(message, channel: channel, original: original)
        case .surveyAnswer:
            throw MessageRejection("survey answers go to evaluation.feedback")
        }
    }

    public func apply(_ messages: [Message], on connection: PostgresConnection, logger: Logger) async throws
        -> [OutgoingMessage] {
        // Appeals first, all together (a fixed number of statements per batch); then the supplements in order, so
        // that a supplement in the same batch as its appeal finds it.
        let drafts = messages.compactMap { message -> AppealDraft? in
            if case .appeal(let draft) = message { return draft }
            return nil
        }
        var out = try await AppealBatchRecorder(recorder: recorder)
            .record(drafts, acknowledge: true, on: connection, logger: logger).messages
        for case .supplement(let supplement, let channel, let original) in messages {
            out += try await applySupplement(supplement, channel: channel, original: original, on: connection,
                                             logger: logger)
        }
        return out
    }

    /// Records the supplement and emits `appeal.supplemented` (which resumes a clock paused on the citizen), or a
    /// dead letter when the appeal is unknown or closed.
    func applySupplement(_ supplement: IntakeSupplement, channel: MinhuModels.Channel, original: OutgoingMessage,
                         on connection: PostgresConnection, logger: Logger) async throws -> [OutgoingMessage] {
        let rows: PostgresRowSequence
        if let caseNumber = supplement.caseNumber {
            rows = try await connection.guardedQuery("""
                SELECT a.id, a.case_number, s.round, s.attempt, s.closed FROM appeals a
                JOIN appeal_status s ON s.appeal_id = a.id WHERE a.case_number = \(caseNumber)
                """, logger: logger)
        } else {
            rows = try await connection.guardedQuery("""
                SELECT a.id, a.case_number, s.round, s.attempt, s.closed FROM appeals a
                JOIN appeal_status s ON s.appeal_id = a.id
                WHERE a.arrival_channel = \(channel.rawValue) AND a.external_id = \(supplement.externalId ?? "")
                """, logger: logger)
        }
        var found: (UUID, String, Int, Int, Bool)?
        for try await row in rows.decode((UUID, String, Int, Int, Bool).self) { found = row }
        let now = recorder.clock.now()
        guard let (appealId, caseNumber, round, attempt, closed) = found, !closed else {
            let reason = found == nil
                ? "intake.supplement: no appeal with \(supplement.caseNumber.map { "case_number '\($0)'" } ?? "external_id '\(supplement.externalId ?? "")' on channel '\(channel)'")"
                : "intake.supplement: appeal \(found!.1) is closed; a new appeal is needed"
            logger.warning("supplement dead-lettered", metadata: ["reason": "\(reason)"])
            // The dead letter gets a message id of its own: the original's is recorded in the inbox in this very
            // transaction, so a replay under it would be skipped as a duplicate. The original stays in a header, and
            // so does its sender (the app id here is the integrator's user: decode).
            var dead = original
            let route = MessageRoute.dead(queue: Self.queue)
            dead.messageID = UUID()
            dead.exchange = route.exchange
            dead.routingKey = route.routingKey
            dead.headers = ["x-minhu-error": reason, "x-minhu-original-exchange": original.exchange,
                            "x-minhu-original-routing-key": original.routingKey,
                            "x-minhu-original-message-id": original.messageID.uuidString,
                            "x-minhu-original-user-id": original.appID]
            return [dead]
        }
        try await connection.guardedQuery("""
            INSERT INTO appeal_supplements (id, appeal_id, channel, text, attachments, submitted_at, received_at)
            VALUES (\(UUID()), \(appealId), \(channel.rawValue), \(supplement.text),
                    \(supplement.attachments.map(\.absoluteString)), \(supplement.submittedAt), \(now))
            """, logger: logger)
        let event = AppealSupplemented(appealId: appealId, caseNumber: caseNumber, round: round, attempt: attempt,
                                       occurredAt: now, channel: channel, text: supplement.text,
                                       attachments: supplement.attachments)
        // The case file's status too: a supplement answers 待群众补充 (AppealStatusSummary).
        try await LifecycleProjectionHandler(clock: recorder.clock).apply(event, on: connection, logger: logger)
        return [try MessageEnvelope.event(event, producer: AppealRecorder.producer, at: now)]
    }
}
