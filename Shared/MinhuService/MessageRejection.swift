/// Thrown by a `MessageHandler` to refuse a message for good (bad JSON, wrong schema, unknown department, a
/// publisher not entitled to the routing key): the message is dead-lettered with `reason`, not retried.
public struct MessageRejection: Error, Sendable, CustomStringConvertible {
    /// A short, specific English reason, e.g. "missing required field 'case_number'".
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
