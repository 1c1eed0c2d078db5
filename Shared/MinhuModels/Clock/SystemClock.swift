import Foundation

/// The real time.
public struct SystemClock: MinhuClock {
    public init() {}

    public func now() -> Date { Date() }
}
