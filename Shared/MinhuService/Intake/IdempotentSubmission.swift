import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// `POST /v1/appeals` under an `Idempotency-Key`: the same key with the same body gets the first answer again,
/// with another body 422, and while the first request is still in flight 409.
///
/// One transaction per request: a transaction-scoped advisory lock on (key holder, key) tells a request in flight
/// (`pg_try_advisory_xact_lock` fails: 409); the key's row, written in the transaction that records the appeal,
/// holds the body's hash and the answer to replay.
public struct IdempotentSubmission: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// A new appeal (201) or a resend of one recorded under the same channel id (200); `body` is the answer.
        case answered(status: Int, body: Data, replayed: Bool)
        /// The key is being used by a request still in flight.
        case inFlight
        /// The key was used with another body.
        case keyReused
    }

    /// The JSON answer of a recorded appeal.
    public struct Answer: Codable, Sendable, Equatable {
        public var appealId: UUID
        public var caseNumber: String
        public var trackingUrl: URL
        public var receivedAt: Date
        public var channel: String
        public var fromDeputy: Bool
    }

    /// The longest `Idempotency-Key` accepted (the native API's and Open311's), in Unicode scalars as PostgreSQL's
    /// `length()` counts them (a flag emoji is one Swift character and two scalars).
    public static let maxKeyLength = 255

    public let recorder: AppealRecorder
    private let batcher: SubmissionBatcher?

    /// With `database`, concurrent submissions are committed together (`SubmissionBatcher`, at most `maxWaiting`
    /// of them waiting); without, each in its own transaction.
    public init(recorder: AppealRecorder, batchingOn database: MinhuDatabase? = nil, logger: Logger? = nil,
                maxWaiting: Int = 5_000) {
        self.recorder = recorder
        batcher = database.map { database in
            SubmissionBatcher(submission: IdempotentSubmission(recorder: recorder), database: database,
                              logger: logger ?? database.logger, maxQueued: maxWaiting)
        }
    }

    /// Submits `draft` (already validated) under `key` of `scope` (the API key's id); `requestHash` is the hash of
    /// the raw body.
    public func submit(_ draft: AppealDraft, scope: String, key: String, requestHash: String,
                       database: MinhuDatabase, logger: Logger) async throws -> Outcome {
        if let batcher {
            return try await batcher.submit(.init(draft: draft, scope: scope, key: key, requestHash: requestHash))
        }
        return try await submitOne(draft, scope: scope, key: key, requestHash: requestHash, database: database,
                                   logger: logger)
    }

    /// The 201 (new) or 200 (resend) answer for a recorded appeal.
    func answer(for recorded: RecordedAppeal) throws -> (status: Int, body: Data) {
        let answer = Answer(appealId: recorded.appealId, caseNumber: recorded.caseNumber,
                            trackingUrl: recorder.trackingURL(caseNumber: recorded.caseNumber,
                                                              token: recorded.trackingToken),
                            receivedAt: recorded.receivedAt, channel: recorded.channel.rawValue,
                            fromDeputy: recorded.fromDeputy)
        return (recorded.isNew ? 201 : 200, try MinhuJSON.encode(answer))
    }

    /// One submission in its own transaction.
    func submitOne(_ draft: AppealDraft, scope: String, key: String, requestHash: String,
                   database: MinhuDatabase, logger: Logger) async throws -> Outcome {
        try await database.withTransaction { connection in
            let lockName = scope + "\u{1f}" + key
            var acquired = false
            for try await (value) in try await connection.guardedQuery(
                "SELECT pg_try_advisory_xact_lock(hashtextextended(\(lockName), 7))", logger: logger
            ).decode(Bool.self) { acquired = value }
            guard acquired else { return Outcome.inFlight }
            let previous = try await connection.guardedQuery("""
                SELECT request_hash, response_status, response_body FROM idempotency_keys
                WHERE scope = \(scope) AND key = \(key)
                """, logger: logger)
            for try await (hash, status, body) in previous.decode((String, Int, String).self) {
                guard hash == requestHash else { return Outcome.keyReused }
                return Outcome.answered(status: status, body: Data(body.utf8), replayed: true)
            }
            let recorded = try await recorder.record(draft, acknowledge: false, on: connection, logger: logger)
            let (status, body) = try answer(for: recorded)
            try await connection.guardedQuery("""
                INSERT INTO idempotency_keys (scope, key, request_hash, appeal_id, response_status, response_body)
                VALUES (\(scope), \(key), \(requestHash), \(recorded.appealId), \(status),
                        \(String(decoding: body, as: UTF8.self)))
                """, logger: logger)
            return Outcome.answered(status: status, body: body, replayed: false)
        }
    }
}
