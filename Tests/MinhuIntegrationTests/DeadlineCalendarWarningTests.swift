import Foundation
import Logging
import MinhuModels
@testable import MinhuService
import Testing

/// The warning that the working-day calendar ends soon: in the service's own time, and again from the watcher's
/// hourly housekeeping, so that a copy running into the calendar's last weeks warns without a restart.
@Suite("Deadlines: the calendar-coverage warning", .enabled(if: TestDatabase.isConfigured))
struct DeadlineCalendarWarningTests {
    typealias F = DeadlineFixtures

    func warnings(_ recorder: RecordingLogHandler) -> [String] {
        recorder.records.withLock { $0 }.filter { $0.level == .warning && $0.message.contains("calendar ends with") }
            .map(\.message)
    }

    /// The last year of the built-in calendar (2026 when this was written; a year added later moves it).
    static func lastYear() throws -> Int { try #require(try WorkingCalendar.builtIn().coveredYears?.upperBound) }

    @Test("measured with the service's clock: none in June of the calendar's last year, one per check from November")
    func byTheServiceClock() async throws {
        let year = try Self.lastYear()
        let clock = FrozenClock(F.at(year, 6, 1, 9))
        let contexts = DeadlineContextProvider(try DeadlineContext.builtIn(), clock: clock)
        let (logger, recorder) = RecordingLogHandler.logger()
        await contexts.warnIfCalendarEndsSoon(logger: logger)
        #expect(warnings(recorder).isEmpty)
        clock.set(F.at(year, 11, 24, 9))
        await contexts.warnIfCalendarEndsSoon(logger: logger)
        #expect(warnings(recorder).count == 1)
        #expect(warnings(recorder).first?.contains("import-year \(year + 1).csv") == true)
    }

    @Test("the watcher's housekeeping repeats it: a copy started in June warns once its clock reaches November")
    func fromHousekeeping() async throws {
        try await TestDatabase.withDatabase { database in
            let year = try Self.lastYear()
            let clock = FrozenClock(F.at(year, 6, 1, 9))
            let contexts = DeadlineContextProvider(loadingWith: F.zone, clock: clock)
            let (logger, recorder) = RecordingLogHandler.logger()
            let watcher = DeadlineWatcher(database: database, contexts: contexts, clock: clock, logger: logger)
            try await watcher.tick()  // loads the calendar: no warning in June
            await watcher.housekeeping()
            #expect(warnings(recorder).isEmpty)
            clock.set(F.at(year, 11, 24, 9))
            await watcher.housekeeping()
            #expect(warnings(recorder).count == 1)
        }
    }
}
