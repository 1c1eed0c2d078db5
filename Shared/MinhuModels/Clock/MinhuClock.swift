import Foundation

/// The one source of "now" for every service (DESIGN §6): the system clock in production, a frozen or stepped
/// clock in tests, a compressed clock for the demo.
///
/// ```swift
/// let clock = try ClockConfiguration.fromEnvironment(ProcessInfo.processInfo.environment).makeClock()
/// let due = policy.replyBy(from: clock.now())
/// ```
public protocol MinhuClock: Sendable {
    /// The current instant.
    func now() -> Date
}
