/// A bad clock setting in the environment, naming the key.
public struct ClockConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The environment key, e.g. `MINHU_CLOCK_SPEED`.
    public var key: String
    /// The value found, nil when missing.
    public var value: String?
    public var reason: String

    public init(key: String, value: String?, reason: String) {
        self.key = key
        self.value = value
        self.reason = reason
    }

    /// e.g. `MINHU_CLOCK_SPEED='fast': expected a positive number`.
    public var description: String {
        if let value { return "\(key)='\(value)': \(reason)" }
        return "\(key): \(reason)"
    }
}
