/// Exponential backoff: `initial`, doubling with every further attempt, capped at `maximum`.
public struct RelayBackoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration, maximum: Duration) {
        precondition(initial > .zero && maximum >= initial, "backoff needs 0 < initial <= maximum")
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait after `attempts` failed attempts (1 → `initial`, 2 → twice that, …, never above `maximum`).
    public func delay(afterAttempts attempts: Int) -> Duration {
        guard attempts > 1 else { return initial }
        var delay = initial
        for _ in 1..<min(attempts, 63) {
            delay *= 2
            if delay >= maximum { return maximum }
        }
        return delay
    }
}
