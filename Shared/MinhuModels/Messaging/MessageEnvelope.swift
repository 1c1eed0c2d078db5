import Foundation

/// Builds `OutgoingMessage`s from typed bodies and decodes typed bodies from received ones, with the properties and
/// the `schema_version` header of DESIGN §3.
///
/// ```swift
/// let outgoing = try MessageEnvelope.event(received, producer: "minhu-intake", at: clock.now())
/// let payload = try MessageEnvelope.decode(AppealReceived.self, from: body, schemaVersion: header)
/// ```
public enum MessageEnvelope {
    /// The AMQP header carrying the body's schema version.
    public static let schemaVersionHeader = "schema_version"
    /// The AMQP header carrying a dead letter's reason.
    public static let errorHeader = "x-minhu-error"
    /// The content type of every body.
    public static let contentType = "application/json"

    /// An event for `minhu.events`: routing key and `type` = the event type, `correlation_id` = the appeal (or
    /// cluster, report) id, `app_id` = `producer`, `schema_version` from the payload type.
    public static func event<P: EventPayload>(_ payload: P, producer: String, at timestamp: Date,
                                              messageID: UUID = UUID()) throws -> OutgoingMessage {
        try message(payload, route: .event(P.eventType), producer: producer, at: timestamp,
                    correlationID: payload.correlationID, messageID: messageID)
    }

    /// Any other message: `type` and `schema_version` from the message type, the route given.
    ///
    /// - Parameters:
    ///   - userID: the broker user, for messages departments and integrators publish (checked by consumers).
    public static func message<M: MinhuMessage>(_ body: M, route: MessageRoute, producer: String, at timestamp: Date,
                                                correlationID: String? = nil, userID: String? = nil,
                                                messageID: UUID = UUID()) throws -> OutgoingMessage {
        OutgoingMessage(messageID: messageID, exchange: route.exchange, routingKey: route.routingKey,
                        type: M.messageType, timestamp: timestamp, correlationID: correlationID, appID: producer,
                        userID: userID, schemaVersion: M.schemaVersion, body: try MinhuJSON.encode(body))
    }

    /// Checks the `schema_version` header against what `M` supports. A missing header means version 1.
    ///
    /// - Throws: `MessageEnvelopeError.unsupportedSchemaVersion` for a newer version, `.invalidSchemaVersion` for
    ///   zero or less.
    public static func checkSchemaVersion<M: MinhuMessage>(_ version: Int?, for type: M.Type) throws {
        let version = version ?? 1
        guard version >= 1 else { throw MessageEnvelopeError.invalidSchemaVersion(String(version)) }
        guard version <= M.schemaVersion else {
            throw MessageEnvelopeError.unsupportedSchemaVersion(type: M.messageType, received: version,
                                                                supported: M.schemaVersion)
        }
    }

    /// Parses a `schema_version` header sent as text (`"1"`); nil for a missing header.
    public static func schemaVersion(fromHeader value: String?) throws -> Int? {
        guard let value else { return nil }
        guard let version = Int(value.trimmingCharacters(in: .whitespaces)), version >= 1 else {
            throw MessageEnvelopeError.invalidSchemaVersion(value)
        }
        return version
    }

    /// Decodes a body of type `M`, after checking its schema version (and its `type` property when given).
    ///
    /// - Throws: `MessageEnvelopeError` or `DecodingError`; `MinhuJSON.describe(error)` gives the dead-letter reason.
    public static func decode<M: MinhuMessage>(_ type: M.Type, from body: Data, schemaVersion: Int?,
                                               messageType: String? = nil) throws -> M {
        if let messageType, messageType != M.messageType {
            throw MessageEnvelopeError.unexpectedType(expected: M.messageType, received: messageType)
        }
        try checkSchemaVersion(schemaVersion, for: M.self)
        return try MinhuJSON.decode(M.self, from: body)
    }

    /// Decodes any event from its type (the AMQP `type` property, or the routing key on `minhu.events`).
    public static func decodeEvent(type: String, from body: Data, schemaVersion: Int?) throws -> any EventPayload {
        guard let eventType = EventType(rawValue: type) else {
            throw MessageEnvelopeError.unknownEventType(type)
        }
        return try decodeEvent(eventType.payloadType, from: body, schemaVersion: schemaVersion)
    }

    private static func decodeEvent<P: EventPayload>(_ type: P.Type, from body: Data,
                                                     schemaVersion: Int?) throws -> any EventPayload {
        try decode(P.self, from: body, schemaVersion: schemaVersion)
    }
}
