import Foundation

/// A clock that stands still until told to move: for tests. Thread-safe.
///
/// ```swift
/// let clock = FrozenClock(MinhuJSON.parseDate("2025-06-09T01:00:00Z")!)
/// clock.advance(by: 3600)
/// ```
public final class FrozenClock: MinhuClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ date: Date) {
        current = date
    }

    public func now() -> Date {
        lock.withLock { current }
    }

    /// Sets the time.
    public func set(_ date: Date) {
        lock.withLock { current = date }
    }

    /// Moves the time by `interval` seconds (negative moves it back) and returns the new time.
    @discardableResult
    public func advance(by interval: TimeInterval) -> Date {
        lock.withLock {
            current += interval
            return current
        }
    }
}
