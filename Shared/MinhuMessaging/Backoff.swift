/// Exponential backoff with a cap: `initial × 2^(attempt-1)`, at most `maximum` seconds.
public struct Backoff: Sendable, Hashable {
    public var initial: Double
    public var maximum: Double

    public init(initial: Double, maximum: Double) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay in seconds before attempt number `attempt` (1-based).
    public func delay(attempt: Int) -> Double {
        let exponent = min(max(attempt - 1, 0), 30)
        return min(maximum, initial * Double(1 << exponent))
    }
}
