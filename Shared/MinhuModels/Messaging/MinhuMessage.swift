/// A JSON message body of a published schema (`docs/messages/<schemaName>.schema.json`).
///
/// Bodies are encoded with `MinhuJSON` (snake_case keys, ISO 8601 dates); unknown fields are ignored on decoding.
public protocol MinhuMessage: Codable, Sendable, Equatable {
    /// The AMQP `type` property, e.g. `appeal.received` or `dispatch.assignment`.
    static var messageType: String { get }
    /// The body's schema version (the `schema_version` header); bump only for incompatible changes.
    static var schemaVersion: Int { get }
    /// The schema file's name without `.schema.json`, e.g. `dispatch-assignment`.
    static var schemaName: String { get }
}
