import Foundation
import MinhuModels
import MinhuService

// minhu-intake: the case file (docs/intake.md). HTTP: POST /v1/appeals, GET /v1/appeals/{case_number},
// GET /v1/callers/{phone}, Open311 GeoReport v2 under /open311/v2/. AMQP: integrators' appeals and supplements on
// intake.channels, lifecycle events on intake.events (the status summary). The logic lives in
// Shared/MinhuService/Intake so the integration tests can reach it.
let environment = ProcessInfo.processInfo.environment
let settings: IntakeSettings
let clock: any MinhuClock
do {
    let port = try EnvironmentReader(environment).integer("MINHU_HTTP_PORT", default: 8080, range: 0...65_535)
    settings = try IntakeSettings.fromEnvironment(environment, httpPort: port)
    clock = try ClockConfiguration.fromEnvironment(environment).makeClock()
} catch {
    FileHandle.standardError.write(Data("minhu-intake: \(error)\n".utf8))
    exit(2)
}

await ServiceMain.run(serviceName: "intake") { runtime in
    IntakeService.parts(runtime: runtime, settings: settings, clock: clock)
}
