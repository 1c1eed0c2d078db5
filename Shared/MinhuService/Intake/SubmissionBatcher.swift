import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// Group commit for `POST /v1/appeals`: the submissions that arrive while earlier ones are being committed are
/// committed together, in one transaction with a fixed number of statements (locks, keys, case files, outbox,
/// keys again), by at most `parallelism` transactions at a time. Each request still gets exactly the answer of
/// `IdempotentSubmission.submitOne` (201, 200, replay, 409, 422); a batch whose transaction fails is retried one
/// request at a time through `submitOne`, so one bad request never fails the others. Only committed appeals are
/// answered 201.
actor SubmissionBatcher {
    struct Request: Sendable {
        var draft: AppealDraft
        var scope: String
        var key: String
        var requestHash: String
    }

    /// Refused because `maxQueued` submissions already wait (the database is slow or down): the client retries
    /// later (503 with Retry-After), instead of every waiting request holding its body in memory without limit.
    struct Overloaded: Error, CustomStringConvertible {
        var waiting: Int
        var description: String { "\(waiting) submissions are already waiting for the database" }
    }

    private struct Pending {
        var request: Request
        var continuation: CheckedContinuation<Result<IdempotentSubmission.Outcome, any Error>, Never>
    }

    private let submission: IdempotentSubmission
    private let database: MinhuDatabase
    private let logger: Logger
    private let maxBatch: Int
    private let parallelism: Int
    private let maxQueued: Int
    private var queue: [Pending] = []
    private var running = 0

    init(submission: IdempotentSubmission, database: MinhuDatabase, logger: Logger, maxBatch: Int = 200,
         parallelism: Int = 4, maxQueued: Int = 5_000) {
        self.submission = submission
        self.database = database
        self.logger = logger
        self.maxBatch = maxBatch
        self.parallelism = parallelism
        self.maxQueued = maxQueued
    }

    func submit(_ request: Request) async throws -> IdempotentSubmission.Outcome {
        guard queue.count < maxQueued else {
            logger.warning("submission refused: too many waiting", metadata: ["waiting": "\(queue.count)"])
            throw Overloaded(waiting: queue.count)
        }
        let result = await withCheckedContinuation { continuation in
            queue.append(Pending(request: request, continuation: continuation))
            if running < parallelism {
                running += 1
                Task { await self.drain() }
            }
        }
        return try result.get()
    }

    private func drain() async {
        while !queue.isEmpty {
            let count = min(maxBatch, queue.count)
            let batch = Array(queue.prefix(count))
            queue.removeFirst(count)
            let results = await Self.commit(batch.map(\.request), submission: submission, database: database,
                                            logger: logger)
            for (pending, result) in zip(batch, results) { pending.continuation.resume(returning: result) }
        }
        running -= 1
    }

    /// Commits `requests` together, or one by one when the batch fails.
    private static func commit(_ requests: [Request], submission: IdempotentSubmission, database: MinhuDatabase,
                               logger: Logger) async -> [Result<IdempotentSubmission.Outcome, any Error>] {
        if requests.count > 1 {
            do {
                return try await commitBatch(requests, submission: submission, database: database, logger: logger)
                    .map { .success($0) }
            } catch {
                logger.notice("batched submissions failed; committing them one by one",
                              metadata: ["count": "\(requests.count)", "error": "\(PostgresErrorDetails(error))"])
            }
        }
        var results: [Result<IdempotentSubmission.Outcome, any Error>] = []
        for request in requests {
            do {
                results.append(.success(try await submission.submitOne(
                    request.draft, scope: request.scope, key: request.key, requestHash: request.requestHash,
                    database: database, logger: logger)))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    private static func commitBatch(_ requests: [Request], submission: IdempotentSubmission, database: MinhuDatabase,
                                    logger: Logger) async throws -> [IdempotentSubmission.Outcome] {
        try await database.withTransaction { connection in
            var outcomes = [IdempotentSubmission.Outcome?](repeating: nil, count: requests.count)
            // 1. The keys' locks; a key twice in the batch: the later ones are "in flight".
            let lockNames = requests.map { $0.scope + "\u{1f}" + $0.key }
            var firstIndex: [String: Int] = [:]
            for (index, name) in lockNames.enumerated() where firstIndex[name] == nil { firstIndex[name] = index }
            let unique = firstIndex.sorted { $0.value < $1.value }
            var locked = Set<String>()
            for try await (name, acquired) in try await connection.guardedQuery("""
                SELECT t.name, pg_try_advisory_xact_lock(hashtextextended(t.name, 7))
                FROM unnest(\(unique.map(\.key))::text[]) AS t(name)
                """, logger: logger).decode((String, Bool).self) where acquired {
                locked.insert(name)
            }
            for (index, name) in lockNames.enumerated() where firstIndex[name] != index || !locked.contains(name) {
                outcomes[index] = .inFlight
            }
            // 2. Keys already used: replay or 422.
            let candidates = requests.indices.filter { outcomes[$0] == nil }
            var previous: [String: (hash: String, status: Int, body: String)] = [:]
            if !candidates.isEmpty {
                for try await (scope, key, hash, status, body) in try await connection.guardedQuery("""
                    SELECT k.scope, k.key, k.request_hash, k.response_status, k.response_body
                    FROM idempotency_keys k
                    JOIN unnest(\(candidates.map { requests[$0].scope })::text[], \(candidates.map { requests[$0].key })::text[])
                      AS t(scope, key) ON k.scope = t.scope AND k.key = t.key
                    """, logger: logger).decode((String, String, String, Int, String).self) {
                    previous[scope + "\u{1f}" + key] = (hash, status, body)
                }
            }
            var toRecord: [Int] = []
            for index in candidates {
                if let found = previous[lockNames[index]] {
                    outcomes[index] = found.hash == requests[index].requestHash
                        ? .answered(status: found.status, body: Data(found.body.utf8), replayed: true) : .keyReused
                } else {
                    toRecord.append(index)
                }
            }
            // 3. The case files and their events, all together.
            if !toRecord.isEmpty {
                let (recorded, messages) = try await AppealBatchRecorder(recorder: submission.recorder)
                    .record(toRecord.map { requests[$0].draft }, acknowledge: false, on: connection, logger: logger)
                try await OutboxWriter.append(messages, producer: AppealRecorder.producer, on: connection, logger: logger)
                var scopes: [String] = [], keys: [String] = [], hashes: [String] = [], appealIds: [UUID] = []
                var statuses: [Int] = [], bodies: [String] = []
                for (index, appeal) in zip(toRecord, recorded) {
                    let (status, body) = try submission.answer(for: appeal)
                    outcomes[index] = .answered(status: status, body: body, replayed: false)
                    scopes.append(requests[index].scope)
                    keys.append(requests[index].key)
                    hashes.append(requests[index].requestHash)
                    appealIds.append(appeal.appealId)
                    statuses.append(status)
                    bodies.append(String(decoding: body, as: UTF8.self))
                }
                // 4. The keys with their answers.
                try await connection.guardedQuery("""
                    INSERT INTO idempotency_keys (scope, key, request_hash, appeal_id, response_status, response_body)
                    SELECT * FROM unnest(\(scopes)::text[], \(keys)::text[], \(hashes)::text[], \(appealIds)::uuid[],
                                         \(statuses)::int[], \(bodies)::text[])
                    """, logger: logger)
            }
            return outcomes.map { $0 ?? .inFlight }
        }
    }
}
