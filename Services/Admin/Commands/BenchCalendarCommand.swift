import ArgumentParser
import Foundation
import MinhuModels

/// `minhu bench calendar`: how many add-working-days computations one core does per second.
///
/// Inputs are drawn before timing (seeded, so runs are repeatable): start dates uniformly across 2020-01-01…
/// 2026-12-31 and n uniformly in 1…20; each computation is `WorkingCalendar.addWorkingDays(n, to: start)` on the
/// built-in calendar, `LocalDate` in and out. The best of `--rounds` timed passes is reported. A second line times
/// `DeadlineCalculator.due` for a 5-working-day policy (`Date` in and out, time-zone conversions included).
struct BenchCalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Time add-working-days computations on the built-in calendar and print computations/s.")

    @Option(name: .long, help: "Computations per timed pass.")
    var count: Int = 2_000_000

    @Option(name: .long, help: "Timed passes; the best one is reported.")
    var rounds: Int = 3

    @Option(name: .long, help: "Random seed for the inputs.")
    var seed: UInt64 = 12345

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
    }

    func run() throws {
        let calendar = try WorkingCalendar.builtIn()
        var generator = SplitMix64(seed: seed)
        let firstDay = LocalDate(year: 2020, month: 1, day: 1)!.dayNumber
        let lastDay = LocalDate(year: 2026, month: 12, day: 31)!.dayNumber
        var starts: [LocalDate] = []
        var counts: [Int] = []
        starts.reserveCapacity(count)
        counts.reserveCapacity(count)
        for _ in 0..<count {
            starts.append(LocalDate(dayNumber: Int.random(in: firstDay...lastDay, using: &generator)))
            counts.append(Int.random(in: 1...20, using: &generator))
        }

        var checksum = 0
        let days = best(of: rounds) {
            for index in 0..<count {
                checksum &+= calendar.addWorkingDays(counts[index], to: starts[index]).day
            }
        }
        let daysRate = Double(count) / days
        print("add-working-days: \(count) computations in \(format(days)) s = \(Int(daysRate)) computations/s "
            + "(best of \(rounds); checksum \(checksum))")

        let zone = WorkingCalendar.defaultTimeZone
        let instants = starts.map { calendar.openingOfOffice(on: $0, timeZone: zone).addingTimeInterval(3600) }
        let policy = DeadlinePolicy(name: "ordinary", limit: .workingDays(5))
        var dueChecksum = 0.0
        let due = best(of: rounds) {
            for instant in instants {
                dueChecksum += DeadlineCalculator.due(policy: policy, receivedAt: instant, calendar: calendar,
                                                      timeZone: zone).timeIntervalSince1970
            }
        }
        print("due (5 working days, Date in/out): \(count) computations in \(format(due)) s = "
            + "\(Int(Double(count) / due)) computations/s (best of \(rounds))")
        if dueChecksum == 0 { print("(checksum 0)") }
    }

    /// The shortest wall-clock time, in seconds, of `rounds` runs of `body`.
    private func best(of rounds: Int, _ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        var best = Double.infinity
        for _ in 0..<rounds {
            let elapsed = clock.measure(body)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            best = min(best, seconds)
        }
        return max(best, 1e-9)
    }

    private func format(_ seconds: Double) -> String { String(format: "%.4f", seconds) }
}

/// SplitMix64: a small, fast, seedable generator (repeatable benchmark inputs).
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
