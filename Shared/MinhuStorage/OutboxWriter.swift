import Foundation
import Logging
import MinhuModels
import PostgresNIO

/// Appends messages to the outbox in the caller's transaction, so they exist if and only if the change that
/// caused them commits.
///
/// ```swift
/// try await database.withTransaction { connection in
///     try await connection.guardedQuery("INSERT INTO appeals …", logger: logger)
///     try await OutboxWriter.append([received], producer: ServiceRole.intake.producer, on: connection,
///                                   logger: logger)
/// }
/// ```
///
/// One multi-row `INSERT` per 1,000 messages. The outbox trigger notifies `minhu_outbox` with the producer as the
/// payload; PostgreSQL delivers it when the transaction commits, waking the producer's relays.
public enum OutboxWriter {
    /// Rows per `INSERT` statement (12 bound parameters a row; PostgreSQL allows 65,535 per statement).
    static let rowsPerStatement = 1_000
    static let columnCount = 12

    /// Inserts one outbox row per message, unpublished and due now.
    ///
    /// - Parameters:
    ///   - messages: the messages; each `messageID` must be new (the outbox's `message_id` is unique).
    ///   - producer: the outbox producer, e.g. `minhu-intake` (``ServiceRole/producer``); with row security a
    ///     service role may only append rows of its own producer.
    ///   - connection: a connection in an open transaction (e.g. inside ``MinhuDatabase/withTransaction(isolation:_:)``).
    /// - Throws: ``DatabaseError/bodyNotUTF8(messageID:)`` when a body is not UTF-8 text; the driver's error otherwise
    ///   (e.g. a duplicate message id). The caller's transaction should then roll back.
    public static func append(_ messages: [OutgoingMessage], producer: String, on connection: PostgresConnection,
                              logger: Logger) async throws {
        guard !messages.isEmpty else { return }
        let headersEncoder = JSONEncoder()
        headersEncoder.outputFormatting = [.sortedKeys]
        var start = 0
        while start < messages.count {
            let chunk = messages[start..<min(start + rowsPerStatement, messages.count)]
            start += chunk.count
            var bindings = PostgresBindings(capacity: chunk.count * columnCount)
            var sql = """
                INSERT INTO outbox (message_id, producer, exchange, routing_key, type, occurred_at, correlation_id, \
                app_id, user_id, schema_version, headers, body) VALUES
                """
            for (row, message) in chunk.enumerated() {
                guard let body = String(data: message.body, encoding: .utf8) else {
                    throw DatabaseError.bodyNotUTF8(messageID: message.messageID)
                }
                let headers = String(decoding: try headersEncoder.encode(message.headers), as: UTF8.self)
                let base = row * columnCount
                let placeholders = (1...columnCount).map { column in
                    column == 11 ? "$\(base + column)::jsonb" : "$\(base + column)"
                }
                sql += (row == 0 ? " (" : ", (") + placeholders.joined(separator: ", ") + ")"
                bindings.append(message.messageID)
                bindings.append(producer)
                bindings.append(message.exchange)
                bindings.append(message.routingKey)
                bindings.append(message.type)
                bindings.append(message.timestamp)
                bindings.append(message.correlationID)
                bindings.append(message.appID)
                bindings.append(message.userID)
                bindings.append(message.schemaVersion)
                bindings.append(headers)
                bindings.append(body)
            }
            // The SQL text holds only placeholders; every value travels as a bound parameter.
            try await connection.guardedQuery(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        }
        logger.debug("outbox rows appended", metadata: ["outbox.producer": "\(producer)", "outbox.rows": "\(messages.count)"])
    }
}
