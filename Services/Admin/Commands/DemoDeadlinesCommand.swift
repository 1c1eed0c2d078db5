import ArgumentParser
import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
import PostgresNIO

/// `minhu demo deadlines`: shows minhu-deadlines at work on the latest appeals, on a compressed clock. Used by
/// `scripts/demo`.
///
/// The routing part of the dispatcher and the departments' answers are not built yet, so this command stands in
/// for them, as the tests do: it dispatches each appeal (`appeal.dispatched`, with the due times the dispatcher will
/// compute: the sign-by policy and the policy of the appeal's channel, kind, tier and urgency), then plays one
/// scene per appeal in simulated time, published through its own outbox (producer `minhu-demo`):
/// - 按时办结: the department signs after half an hour and replies three hours later; no warning;
/// - 未签收: nobody signs; the watcher warns at 60 % and 80 % of the sign-by time and reports it overdue;
/// - 待补充: the department signs, then waits for the citizen's details (the clocks pause) until the citizen
///   supplements them five hours later (they resume, later by the paused working time); the department then
///   reports progress.
/// It prints what minhu-deadlines emits (`deadline.warning`, `deadline.overdue`, `deadline.changed`, read from the
/// outbox) as it comes, and the clocks at the end.
///
/// It runs on the deadlines service's clock: `MINHU_CLOCK=compressed` with the same `MINHU_CLOCK_START`,
/// `MINHU_CLOCK_SPEED` and `MINHU_CLOCK_ORIGIN`, so both agree on the simulated time.
struct DemoDeadlinesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadlines",
        abstract: "Dispatch the latest appeals and show minhu-deadlines' clocks on a compressed clock.",
        discussion: """
            Stands in for the routing part of the dispatcher and for the departments (not built yet): publishes \
            appeal.dispatched for the latest appeals that have no clocks, then a signature, a reply, a pause and a \
            supplement in simulated time, and prints the warnings, overdues and changes minhu-deadlines emits. \
            Needs MINHU_DATABASE_URL, MINHU_AMQP_URL and the service's MINHU_CLOCK=compressed, MINHU_CLOCK_START, \
            MINHU_CLOCK_SPEED and MINHU_CLOCK_ORIGIN.
            """)

    @Option(help: "How many of the latest appeals without clocks to dispatch (three play every scene).")
    var latest = 3
    @Option(help: "Seconds (real time) to wait for the watcher's last warning and overdue.")
    var timeout = 90.0

    func validate() throws {
        guard (1...30).contains(latest) else {
            throw ValidationError("--latest must be 1–30 (got \(latest))")
        }
        guard timeout > 0, timeout.isFinite else {
            throw ValidationError("--timeout must be positive (got \(timeout))")
        }
    }

    func run() async throws {
        let logger = CommandSupport.logger("minhu-demo")
        let clockConfiguration: ClockConfiguration
        do {
            clockConfiguration = try ClockConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
        } catch {
            throw CommandFailure("\(error)")
        }
        guard case let .compressed(_, speed, origin) = clockConfiguration, origin != nil else {
            throw CommandFailure("minhu demo deadlines runs on the deadlines service's compressed clock: "
                                 + "set MINHU_CLOCK=compressed, MINHU_CLOCK_START, MINHU_CLOCK_SPEED and "
                                 + "MINHU_CLOCK_ORIGIN as for minhu-deadlines")
        }
        let clock = clockConfiguration.makeClock()
        let url = try CommandSupport.brokerURL()
        let (latest, timeout) = (self.latest, self.timeout)

        try await CommandSupport.withDatabase(try CommandSupport.databaseConfiguration(), logger: logger) { database in
            let timeZone = try CommandSupport.timeZone()
            let context = try await DeadlineContext.load(from: database, timeZone: timeZone, logger: logger)
            let appeals = try await DemoDeadlinePlay.latestUndispatched(latest, database: database, logger: logger)
            guard !appeals.isEmpty else {
                throw CommandFailure("no appeal without deadline clocks: run minhu demo replay first")
            }
            let publisher = AMQPPublisher(url: url, options: .init(connectionName: "minhu-demo"), logger: logger)
            let relay = OutboxRelay(database: database, publisher: publisher, producer: DemoDeadlinePlay.producer,
                                    logger: logger)
            let play = DemoDeadlinePlay(clock: clock, speed: speed, context: context, database: database,
                                        relay: relay, logger: logger)
            do {
                try await play.run(appeals, timeout: timeout)
            } catch {
                await publisher.shutdown()
                throw error
            }
            await publisher.shutdown()
        }
    }
}
