import Foundation

/// One realistic example of a message, encoded by the Swift types: what `minhu messages examples` writes as
/// `<schema>.json` and `scripts/check-schemas` validates against `docs/messages/<schema>.schema.json`.
public struct MessageExample: Sendable {
    /// The schema's name, e.g. `dispatch-assignment`.
    public var schema: String
    /// The AMQP `type`.
    public var messageType: String
    /// Where such a message goes (with example channel and department codes).
    public var route: MessageRoute
    /// The typed body.
    public var value: any MinhuMessage
    /// The body as `MinhuJSON` encodes it.
    public var json: Data

    public init(value: any MinhuMessage, route: MessageRoute) throws {
        self.schema = type(of: value).schemaName
        self.messageType = type(of: value).messageType
        self.route = route
        self.value = value
        self.json = try MinhuJSON.encode(value)
    }
}
