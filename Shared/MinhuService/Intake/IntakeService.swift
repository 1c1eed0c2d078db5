import Foundation
import Hummingbird
import Logging
import MinhuMessaging
import MinhuModels
import MinhuStorage

/// The parts of `minhu-intake` (docs/intake.md): the consumers of `intake.channels` (integrators' appeals and
/// supplements) and `intake.events` (the status summary), and the HTTP routes (native API, Open311, callers).
/// `ServiceMain` adds the database, the relay of intake's outbox, /health and /metrics.
public enum IntakeService {
    public static func parts(runtime: ServiceRuntime, settings: IntakeSettings,
                             clock: any MinhuClock = SystemClock()) -> ServiceMain.Parts {
        let recorder = AppealRecorder(clock: clock, timeZone: runtime.configuration.timeZone,
                                      publicBaseURL: settings.publicBaseURL)
        let keys = ApiKeyStore(database: runtime.database, logger: runtime.logger)
        let channels = runtime.consumer(queue: ChannelIntakeHandler.queue, handler: ChannelIntakeHandler(recorder: recorder))
        let events = runtime.consumer(queue: "intake.events", handler: LifecycleProjectionHandler(clock: clock))
        return ServiceMain.Parts(
            consumers: [channels, events], amqpConsumers: [channels.consumer, events.consumer],
            routes: { router in
                register(on: router, recorder: recorder, settings: settings, database: runtime.database, keys: keys,
                         logger: runtime.logger)
            })
    }

    /// Registers every intake route on `router`.
    public static func register(on router: Router<BasicRequestContext>, recorder: AppealRecorder,
                                settings: IntakeSettings, database: MinhuDatabase, keys: ApiKeyStore, logger: Logger) {
        let submission = IdempotentSubmission(recorder: recorder, batchingOn: database, logger: logger,
                                              maxWaiting: settings.maxWaitingSubmissions)
        AppealRoutes.register(on: router, submission: submission, settings: settings,
                              database: database, keys: keys, logger: logger)
        CallerRoute.register(on: router, database: database, keys: keys, logger: logger)
        Open311Routes.register(on: router, recorder: recorder, database: database, keys: keys,
                               jurisdiction: settings.jurisdiction, logger: logger)
    }
}
