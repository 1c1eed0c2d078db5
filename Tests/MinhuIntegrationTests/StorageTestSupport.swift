import Foundation
import Metrics
import MinhuModels
import MinhuStorage
import PostgresNIO

/// The publisher port as the relay sees it, without a broker: records what it is asked to publish and answers with
/// configured outcomes (confirmed unless told otherwise), or fails the whole call like a lost connection.
actor RecordingPublisher: MessagePublishing {
    struct ConnectionLost: Error {}

    /// Every message confirmed, in publish order.
    private(set) var confirmed: [OutgoingMessage] = []
    /// How many times each message id was handed to `publish`.
    private(set) var attempts: [UUID: Int] = [:]
    private(set) var calls = 0
    private var outcomes: [UUID: PublishOutcome] = [:]
    private var failingCalls = 0
    private var delay: Duration?

    init(delay: Duration? = nil) {
        self.delay = delay
    }

    func publish(_ messages: [OutgoingMessage]) async throws -> [PublishOutcome] {
        calls += 1
        if let delay { try await Task.sleep(for: delay) }
        if failingCalls > 0 {
            failingCalls -= 1
            throw ConnectionLost()
        }
        var result: [PublishOutcome] = []
        for message in messages {
            attempts[message.messageID, default: 0] += 1
            let outcome = outcomes[message.messageID] ?? .confirmed
            if outcome == .confirmed { confirmed.append(message) }
            result.append(outcome)
        }
        return result
    }

    /// Answers `outcome` for `id` from now on.
    func setOutcome(_ outcome: PublishOutcome, for id: UUID) {
        outcomes[id] = outcome
    }

    /// The next `count` calls throw, as when the broker connection is down.
    func failNextCalls(_ count: Int) {
        failingCalls = count
    }

    var confirmedIDs: [UUID] { confirmed.map(\.messageID) }
}

/// A `MetricsFactory` that keeps counter and gauge values in memory, per label and dimensions.
final class StorageTestMetrics: MetricsFactory, @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Double] = [:]

    static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        ([label] + dimensions.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }).joined(separator: ",")
    }

    func value(_ label: String, _ dimensions: [(String, String)] = []) -> Double {
        lock.lock()
        defer { lock.unlock() }
        return values[Self.key(label, dimensions)] ?? 0
    }

    fileprivate func add(_ key: String, _ amount: Double) {
        lock.lock()
        values[key, default: 0] += amount
        lock.unlock()
    }

    fileprivate func set(_ key: String, _ amount: Double) {
        lock.lock()
        values[key] = amount
        lock.unlock()
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(factory: self, key: Self.key(label, dimensions))
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Handler(factory: self, key: Self.key(label, dimensions))
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Handler(factory: self, key: Self.key(label, dimensions))
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    private final class Handler: CounterHandler, RecorderHandler, TimerHandler, @unchecked Sendable {
        let factory: StorageTestMetrics
        let key: String

        init(factory: StorageTestMetrics, key: String) {
            self.factory = factory
            self.key = key
        }

        func increment(by amount: Int64) { factory.add(key, Double(amount)) }
        func reset() { factory.set(key, 0) }
        func record(_ value: Int64) { factory.set(key, Double(value)) }
        func record(_ value: Double) { factory.set(key, value) }
        func recordNanoseconds(_ duration: Int64) { factory.set(key, Double(duration)) }
    }
}

/// Building blocks shared by the storage tests.
enum StorageFixtures {
    /// An event of `producer`, with a body whose key order and spacing must survive the outbox byte for byte.
    static func event(producer: String = "minhu-intake", type: String = "appeal.received",
                      correlationID: String? = "A20250101-000001", number: Int = 0) -> OutgoingMessage {
        let body = #"{"z":1, "a":"诉求 \#(number)","nested":{"b":2.50,"a":null}}"#
        return OutgoingMessage(
            exchange: "minhu.events", routingKey: type, type: type,
            timestamp: Date(timeIntervalSince1970: 1_736_000_000 + Double(number)), correlationID: correlationID,
            appID: producer, schemaVersion: 2, headers: ["x-minhu-trace": "t\(number)"], body: Data(body.utf8))
    }

    /// A non-event message (an acknowledgement to a channel).
    static func acknowledgement(producer: String = "minhu-intake") -> OutgoingMessage {
        OutgoingMessage(exchange: "minhu.outbound", routingKey: "wechat", type: "outbound.acknowledgement",
                        timestamp: Date(timeIntervalSince1970: 1_736_000_000.25), correlationID: "A20250101-000002",
                        appID: producer,
                        body: Data(#"{"phone":"13800138000"}"#.utf8))
    }

    static func append(_ messages: [OutgoingMessage], producer: String = "minhu-intake",
                       to database: MinhuDatabase) async throws {
        try await database.withTransaction { connection in
            try await OutboxWriter.append(messages, producer: producer, on: connection, logger: TestDatabase.logger)
        }
    }

    /// One integer from a query such as `SELECT count(*) …`.
    static func integer(_ query: PostgresQuery, on database: MinhuDatabase) async throws -> Int {
        try await database.withConnection { connection in
            let rows = try await connection.guardedQuery(query, logger: TestDatabase.logger)
            for try await value in rows.decode(Int.self) { return value }
            return 0
        }
    }

    /// One text from a query such as `SELECT body …` (empty when there is no row).
    static func text(_ query: PostgresQuery, on database: MinhuDatabase) async throws -> String {
        try await database.withConnection { connection in
            let rows = try await connection.guardedQuery(query, logger: TestDatabase.logger)
            for try await value in rows.decode(String.self) { return value }
            return ""
        }
    }

    /// Runs `body` inside a transaction as `role` (`SET LOCAL ROLE`), then rolls back whatever it did.
    static func asRole<Result: Sendable>(
        _ role: String, on database: MinhuDatabase,
        _ body: @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await database.withConnection { connection in
            try await connection.guardedQuery("BEGIN", logger: TestDatabase.logger)
            do {
                // A role name cannot be a bound parameter; these are the tests' own constants.
                try await connection.guardedQuery(PostgresQuery(unsafeSQL: "SET LOCAL ROLE \(role)"), logger: TestDatabase.logger)
                let result = try await body(connection)
                try await connection.guardedQuery("ROLLBACK", logger: TestDatabase.logger)
                return result
            } catch {
                _ = try? await connection.guardedQuery("ROLLBACK", logger: TestDatabase.logger)
                throw error
            }
        }
    }

    /// Whether `statement` fails when run as `role` (inside a savepoint-free transaction of its own).
    static func fails(_ statement: PostgresQuery, as role: String, on database: MinhuDatabase) async throws
        -> String?
    {
        try await asRole(role, on: database) { connection in
            do {
                try await connection.guardedQuery(statement, logger: TestDatabase.logger)
                return nil
            } catch {
                return PostgresErrorDetails(error).sqlState ?? "error"
            }
        }
    }
}

extension AsyncSequence {
    /// Every element, in order.
    func collectAll() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}
