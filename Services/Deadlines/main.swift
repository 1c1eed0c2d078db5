import Foundation
import MinhuMessaging
import MinhuModels
import MinhuService

// minhu-deadlines: the sign-by and reply-by clocks (docs/deadlines.md, "Service"). It consumes `deadlines.events`
// (DeadlineEventHandler), runs the watcher that emits deadline.warning / deadline.overdue (DeadlineWatcher), and
// serves POST /v1/deadlines/{case_number}/extension-decision (ExtensionDecisionRoute). The logic lives in
// Shared/MinhuService/Deadlines so the integration tests can reach it.
let environment = ProcessInfo.processInfo.environment
let tick: Duration
let clock: any MinhuClock
do {
    let milliseconds = try EnvironmentReader(environment).integer("MINHU_DEADLINES_TICK_MS", default: 1_000,
                                                                  range: 10...600_000)
    tick = .milliseconds(milliseconds)
    clock = try ClockConfiguration.fromEnvironment(environment).makeClock()
} catch {
    FileHandle.standardError.write(Data("minhu-deadlines: \(error)\n".utf8))
    exit(2)
}

await ServiceMain.run(serviceName: "deadlines") { runtime in
    let contexts = DeadlineContextProvider(loadingWith: runtime.configuration.timeZone, clock: clock)
    let handler = DeadlineEventHandler(contexts: contexts, clock: clock)
    let consumers = (MinhuTopology.serviceQueues["deadlines"] ?? []).filter { $0.hasSuffix(".events") }.map { queue in
        runtime.consumer(queue: queue, handler: handler)
    }
    let watcher = DeadlineWatcher(database: runtime.database, contexts: contexts, clock: clock, interval: tick,
                                  logger: runtime.logger)
    let decider = ExtensionDecider(contexts: contexts, clock: clock)
    return ServiceMain.Parts(
        consumers: consumers + [watcher], amqpConsumers: consumers.map(\.consumer),
        routes: { router in
            ExtensionDecisionRoute.register(on: router, decider: decider, database: runtime.database,
                                            logger: runtime.logger)
        })
}
