/// Thrown by a `MessageHandler` that cannot apply any message right now for a reason of its own, not of the message
/// (e.g. the deadlines service's policy document in the database does not load). The consumer treats it like a
/// database that does not answer: the deliveries stay unacked and are retried with backoff, and never count towards
/// the queue's delivery limit, so good messages are not dead-lettered while the service is misconfigured.
public struct HandlerUnavailable: Error, Sendable, CustomStringConvertible {
    /// What is missing, for the log, e.g. "the deadline policy 'default' does not load: …".
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
