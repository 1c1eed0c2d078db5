import Foundation

/// Simulated time for the demo: `now = start + (real now − origin) × speed`.
///
/// Several services given the same start, speed and origin agree on the time; without an origin each uses the
/// instant it was created.
public struct CompressedClock: MinhuClock {
    /// The simulated instant at `origin`.
    public let start: Date
    /// Simulated seconds per real second, > 0.
    public let speed: Double
    /// The real instant at which simulated time equals `start`.
    public let origin: Date
    private let realNow: @Sendable () -> Date

    /// - Parameters:
    ///   - start: the simulated instant at `origin`.
    ///   - speed: simulated seconds per real second; must be positive.
    ///   - origin: the real instant matching `start`; defaults to now.
    ///   - realNow: the real time source (replaceable in tests).
    public init(start: Date, speed: Double, origin: Date? = nil,
                realNow: @escaping @Sendable () -> Date = { Date() }) {
        precondition(speed > 0 && speed.isFinite, "CompressedClock speed must be a positive number")
        self.start = start
        self.speed = speed
        self.realNow = realNow
        self.origin = origin ?? realNow()
    }

    public func now() -> Date {
        start + realNow().timeIntervalSince(origin) * speed
    }
}
