/// A bad or missing configuration value, naming the environment key.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The environment variable, e.g. `MINHU_DATABASE_URL`.
    public var key: String
    /// Why it was refused (never the value itself: it may hold a secret).
    public var reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "configuration error: \(key): \(reason)" }
}
