/// Why a received message body was refused before or instead of decoding (a dead-letter reason).
public enum MessageEnvelopeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `schema_version` header names a version newer than this build understands.
    case unsupportedSchemaVersion(type: String, received: Int, supported: Int)
    /// The `schema_version` header is not a positive integer.
    case invalidSchemaVersion(String)
    /// The AMQP `type` property does not match the expected message type.
    case unexpectedType(expected: String, received: String)
    /// The `type` names no known event.
    case unknownEventType(String)

    public var description: String {
        switch self {
        case let .unsupportedSchemaVersion(type, received, supported):
            "schema_version \(received) of '\(type)' is newer than supported version \(supported)"
        case let .invalidSchemaVersion(value):
            "invalid schema_version header '\(value)': expected a positive integer"
        case let .unexpectedType(expected, received):
            "unexpected message type '\(received)': expected '\(expected)'"
        case let .unknownEventType(type):
            "unknown event type '\(type)'"
        }
    }
}
