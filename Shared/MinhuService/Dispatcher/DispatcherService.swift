import Foundation
import Hummingbird
import Logging
import MinhuMessaging
import MinhuModels
import MinhuStorage

/// The parts of `minhu-dispatcher` (docs/dispatcher.md): the consumer of `dispatcher.events` (classification,
/// clusters, hotspots, the manual desk) and the HTTP routes (desk, clusters). `ServiceMain` adds the database, the
/// relay of the dispatcher's outbox, /health and /metrics. `dispatcher.department` is left for routing (part 2).
public enum DispatcherService {
    public static func parts(runtime: ServiceRuntime, settings: DispatcherSettings, analyzer: any AppealTextAnalyzer,
                             clock: any MinhuClock = SystemClock()) -> ServiceMain.Parts {
        let clusters = ClusterRegistry(analyzer: analyzer, windowDays: settings.clusterWindowDays)
        let handler = DispatcherClassificationHandler(analyzer: analyzer, settings: settings, clusters: clusters,
                                                      clock: clock)
        let events = runtime.consumer(queue: DispatcherClassificationHandler.queue, handler: handler)
        let desk = ManualDesk(database: runtime.database, analyzer: analyzer, clock: clock,
                              maxTextCharacters: settings.maxTextCharacters)
        let keys = ApiKeyStore(database: runtime.database, logger: runtime.logger)
        return ServiceMain.Parts(
            consumers: [events], amqpConsumers: [events.consumer],
            routes: { router in
                DispatcherRoutes.register(on: router, desk: desk, database: runtime.database, keys: keys,
                                          logger: runtime.logger)
            })
    }
}
