import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import PostgresNIO

/// A test handler with a visible effect: decodes `{"n": Int}` (refusing anything else as a dead letter) and
/// inserts one row per applied message into `test_effects`. `{"n": -1}` fails every time (a poison message).
struct EffectHandler: MessageHandler {
    struct Body: Decodable, Sendable { var n: Int }

    static let createTable: PostgresQuery =
        "CREATE TABLE test_effects (n int NOT NULL, message_id uuid NOT NULL, applied_at timestamptz DEFAULT now())"

    func decode(_ delivery: AMQPDelivery) throws -> Body {
        do { return try JSONDecoder().decode(Body.self, from: delivery.body) } catch {
            throw MessageRejection("body is not {\"n\": integer}: \(error)")
        }
    }

    func apply(_ messages: [Body], on connection: PostgresConnection, logger: Logger) async throws -> [OutgoingMessage] {
        for message in messages {
            if message.n < 0 { throw TestEnvironmentError("poison message \(message.n)") }
            try await connection.guardedQuery("INSERT INTO test_effects (n, message_id) VALUES (\(message.n), gen_random_uuid())",
                                       logger: logger)
        }
        return []
    }

    /// Rows in `test_effects` per `n`.
    static func counts(_ connection: PostgresConnection, logger: Logger) async throws -> [Int: Int] {
        var result: [Int: Int] = [:]
        for try await (n, count) in try await connection.guardedQuery("SELECT n, count(*)::int FROM test_effects GROUP BY n",
                                                               logger: logger).decode((Int, Int).self) {
            result[n] = count
        }
        return result
    }
}
