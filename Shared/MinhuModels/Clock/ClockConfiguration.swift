import Foundation

/// Which clock a service runs on, read from the environment.
///
/// Keys:
/// - `MINHU_CLOCK`: `system` (default) or `compressed`.
/// - `MINHU_CLOCK_START`: with `compressed`, required: the simulated start, ISO 8601
///   (e.g. `2025-06-09T08:30:00+08:00`).
/// - `MINHU_CLOCK_SPEED`: with `compressed`, simulated seconds per real second, a positive number (default 1).
/// - `MINHU_CLOCK_ORIGIN`: with `compressed`, optional: the real instant (ISO 8601) at which simulated time is
///   `MINHU_CLOCK_START`, so that several services agree; defaults to each service's start.
///
/// ```swift
/// let clock = try ClockConfiguration.fromEnvironment(ProcessInfo.processInfo.environment).makeClock()
/// ```
public enum ClockConfiguration: Sendable, Hashable {
    case system
    case compressed(start: Date, speed: Double, origin: Date?)

    /// Reads the configuration; throws a `ClockConfigurationError` naming the bad key.
    public static func fromEnvironment(_ environment: [String: String]) throws -> ClockConfiguration {
        let mode = environment["MINHU_CLOCK"]?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        switch mode {
        case "", "system":
            return .system
        case "compressed":
            guard let startText = environment["MINHU_CLOCK_START"], !startText.isEmpty else {
                throw ClockConfigurationError(key: "MINHU_CLOCK_START", value: nil,
                                              reason: "required when MINHU_CLOCK=compressed")
            }
            guard let start = MinhuJSON.parseDate(startText) else {
                throw ClockConfigurationError(
                    key: "MINHU_CLOCK_START", value: startText,
                    reason: "expected an ISO 8601 date-time such as 2025-06-09T08:30:00+08:00")
            }
            var speed = 1.0
            if let speedText = environment["MINHU_CLOCK_SPEED"], !speedText.isEmpty {
                guard let value = Double(speedText.trimmingCharacters(in: .whitespaces)), value > 0,
                      value.isFinite else {
                    throw ClockConfigurationError(key: "MINHU_CLOCK_SPEED", value: speedText,
                                                  reason: "expected a positive number")
                }
                speed = value
            }
            var origin: Date?
            if let originText = environment["MINHU_CLOCK_ORIGIN"], !originText.isEmpty {
                guard let value = MinhuJSON.parseDate(originText) else {
                    throw ClockConfigurationError(key: "MINHU_CLOCK_ORIGIN", value: originText,
                                                  reason: "expected an ISO 8601 date-time")
                }
                origin = value
            }
            return .compressed(start: start, speed: speed, origin: origin)
        default:
            throw ClockConfigurationError(key: "MINHU_CLOCK", value: environment["MINHU_CLOCK"],
                                          reason: "expected 'system' or 'compressed'")
        }
    }

    /// The clock this configuration describes.
    public func makeClock() -> any MinhuClock {
        switch self {
        case .system: SystemClock()
        case let .compressed(start, speed, origin): CompressedClock(start: start, speed: speed, origin: origin)
        }
    }
}
