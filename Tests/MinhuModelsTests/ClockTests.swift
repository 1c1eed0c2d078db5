import Foundation
import Testing
@testable import MinhuModels

@Suite("Clocks")
struct ClockTests {
    private let start = Date(timeIntervalSince1970: 1_749_432_600)

    @Test("a frozen clock stands still until set or advanced")
    func frozen() {
        let clock = FrozenClock(start)
        #expect(clock.now() == start)
        #expect(clock.now() == start)
        #expect(clock.advance(by: 90) == start + 90)
        #expect(clock.now() == start + 90)
        clock.set(start - 10)
        #expect(clock.now() == start - 10)
    }

    @Test("a frozen clock is safe to share between tasks")
    func frozenConcurrent() async {
        let clock = FrozenClock(start)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<100 { group.addTask { clock.advance(by: 1) } }
        }
        #expect(clock.now() == start + 100)
    }

    @Test("a compressed clock runs speed times faster from its start")
    func compressed() {
        let real = FrozenClock(Date(timeIntervalSince1970: 2_000_000_000))
        let clock = CompressedClock(start: start, speed: 60, realNow: { real.now() })
        #expect(clock.now() == start)
        real.advance(by: 10)
        #expect(clock.now() == start + 600)
        let anchored = CompressedClock(start: start, speed: 2, origin: real.now() - 5, realNow: { real.now() })
        #expect(anchored.now() == start + 10)
    }

    @Test("the system clock is the real time")
    func system() {
        let before = Date()
        let now = SystemClock().now()
        #expect(now >= before && now <= Date())
    }

    @Test("configuration from the environment")
    func configuration() throws {
        #expect(try ClockConfiguration.fromEnvironment([:]) == .system)
        #expect(try ClockConfiguration.fromEnvironment(["MINHU_CLOCK": "system"]) == .system)
        let compressed = try ClockConfiguration.fromEnvironment([
            "MINHU_CLOCK": "compressed", "MINHU_CLOCK_START": "2025-06-09T09:30:00+08:00", "MINHU_CLOCK_SPEED": "120",
        ])
        #expect(compressed == .compressed(start: start, speed: 120, origin: nil))
        let clock = compressed.makeClock()
        #expect(abs(clock.now().timeIntervalSince(start)) < 120 * 5)
        #expect(try ClockConfiguration.fromEnvironment([
            "MINHU_CLOCK": "compressed", "MINHU_CLOCK_START": "2025-06-09T01:30:00Z",
            "MINHU_CLOCK_ORIGIN": "2030-01-01T00:00:00.000Z",
        ]) == .compressed(start: start, speed: 1, origin: MinhuJSON.parseDate("2030-01-01T00:00:00Z")))
    }

    @Test("bad settings name the key", arguments: [
        (["MINHU_CLOCK": "quantum"], "MINHU_CLOCK"),
        (["MINHU_CLOCK": "compressed"], "MINHU_CLOCK_START"),
        (["MINHU_CLOCK": "compressed", "MINHU_CLOCK_START": "tomorrow"], "MINHU_CLOCK_START"),
        (["MINHU_CLOCK": "compressed", "MINHU_CLOCK_START": "2025-06-09T01:30:00Z", "MINHU_CLOCK_SPEED": "fast"],
         "MINHU_CLOCK_SPEED"),
        (["MINHU_CLOCK": "compressed", "MINHU_CLOCK_START": "2025-06-09T01:30:00Z", "MINHU_CLOCK_SPEED": "-3"],
         "MINHU_CLOCK_SPEED"),
        (["MINHU_CLOCK": "compressed", "MINHU_CLOCK_START": "2025-06-09T01:30:00Z", "MINHU_CLOCK_SPEED": "0"],
         "MINHU_CLOCK_SPEED"),
        (["MINHU_CLOCK": "compressed", "MINHU_CLOCK_START": "2025-06-09T01:30:00Z", "MINHU_CLOCK_ORIGIN": "now"],
         "MINHU_CLOCK_ORIGIN"),
    ])
    func badSettings(environment: [String: String], key: String) {
        do {
            _ = try ClockConfiguration.fromEnvironment(environment)
            Issue.record("accepted \(environment)")
        } catch let error as ClockConfigurationError {
            #expect(error.key == key)
            #expect(error.description.hasPrefix(key))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
