/// Errors raised by Minhu's AMQP client.
public enum AMQPError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The URL could not be parsed.
    case invalidURL(String)
    /// TCP connect, login or channel open failed.
    case connectionFailed(String)
    /// The connection was lost (socket error, heartbeat timeout, broker closed it).
    case connectionLost(String)
    /// The broker refused an operation (a channel or connection close with a reply code).
    case brokerRefused(code: Int, text: String)
    /// Waiting for the broker took longer than allowed.
    case timeout(String)
    /// The client was shut down.
    case closed

    public var description: String {
        switch self {
        case .invalidURL(let reason): "invalid AMQP URL: \(reason)"
        case .connectionFailed(let reason): "AMQP connection failed: \(reason)"
        case .connectionLost(let reason): "AMQP connection lost: \(reason)"
        case .brokerRefused(let code, let text): "broker refused (\(code)): \(text)"
        case .timeout(let what): "AMQP timeout: \(what)"
        case .closed: "AMQP client closed"
        }
    }
}
