import Foundation
import MinhuMessaging
import MinhuModels
import MinhuService

// minhu-dispatcher, part 1 (docs/dispatcher.md): consumes `dispatcher.events`, classifies each appeal.received
// (category, kind, urgency, tier, place), joins it to a cluster of similar appeals, raises hotspot.detected, and
// emits appeal.classified or puts the appeal on the manual desk. HTTP: GET /v1/desk,
// POST /v1/desk/{case_number}/decision, GET /v1/desk/decisions.csv, GET /v1/clusters/{id}. The logic lives in
// Shared/MinhuService/Dispatcher so the integration tests can reach it.
// `dispatcher.department` (department actions) arrives with routing (part 2).

let environment = ProcessInfo.processInfo.environment
let settings: DispatcherSettings
let analyzer: MinhuTextAnalyzer
let clock: any MinhuClock
do {
    settings = try DispatcherSettings.fromEnvironment(environment)
    analyzer = try MinhuTextAnalyzer.load(environment: environment)
    clock = try ClockConfiguration.fromEnvironment(environment).makeClock()
} catch {
    FileHandle.standardError.write(Data("minhu-dispatcher: \(error)\n".utf8))
    exit(2)
}

await ServiceMain.run(serviceName: "dispatcher") { runtime in
    DispatcherService.parts(runtime: runtime, settings: settings, analyzer: analyzer, clock: clock)
}
