import Foundation
import MinhuMessaging
import MinhuModels

/// Decoding an event delivery the same way in every consumer of `<service>.events`: the type from the `type`
/// property (else the routing key), the `schema_version` header, then the payload; each failure is a
/// `MessageRejection` with a short reason (the dead letter's `x-minhu-error`).
public enum EventDelivery {
    public static func decode(_ delivery: AMQPDelivery) throws -> any EventPayload {
        let type = delivery.properties.type ?? delivery.routingKey
        guard EventType(rawValue: type) != nil else { throw MessageRejection("unknown event type '\(type)'") }
        let version: Int?
        do {
            version = try MessageEnvelope.schemaVersion(fromHeader: delivery.properties.headers[MessageEnvelope.schemaVersionHeader])
        } catch {
            throw MessageRejection("bad schema_version header: \(error)")
        }
        do {
            return try MessageEnvelope.decodeEvent(type: type, from: delivery.body, schemaVersion: version)
        } catch {
            throw MessageRejection("\(type): \(MinhuJSON.describe(error))")
        }
    }
}
