/// Tunables of one AMQP connection.
public struct AMQPConnectionOptions: Sendable {
    /// Heartbeat interval in seconds asked of the broker (0 disables; Minhu keeps it on). Default 10.
    public var heartbeatSeconds: Int
    /// Timeout for TCP connect, the AMQP handshake and each RPC, in seconds. Default 10.
    public var connectTimeoutSeconds: Int
    /// Name shown in the broker's management UI (`connection_name` client property).
    public var connectionName: String
    /// Backoff between reconnection attempts.
    public var reconnectBackoff: Backoff

    public init(heartbeatSeconds: Int = 10, connectTimeoutSeconds: Int = 10, connectionName: String = "minhu",
                reconnectBackoff: Backoff = Backoff(initial: 0.2, maximum: 5)) {
        self.heartbeatSeconds = heartbeatSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.connectionName = connectionName
        self.reconnectBackoff = reconnectBackoff
    }
}
