import Foundation
import Hummingbird
import Logging
import Metrics
import MinhuMessaging
import ServiceLifecycle

/// The `main` of every service executable: read and validate the configuration (exit 2 naming the bad key),
/// bootstrap logging and metrics, build the runtime with `ServiceRuntime.build`, add the service's consumers and
/// routes, and run the group until SIGTERM/SIGINT (exit 0 after draining; exit 1 on a fatal error).
public enum ServiceMain {
    /// What a service adds to the common runtime.
    public struct Parts {
        public var consumers: [any Service]
        public var amqpConsumers: [AMQPConsumer]
        public var routes: (Router<BasicRequestContext>) -> Void
        public init(consumers: [any Service] = [], amqpConsumers: [AMQPConsumer] = [],
                    routes: @escaping (Router<BasicRequestContext>) -> Void = { _ in }) {
            self.consumers = consumers
            self.amqpConsumers = amqpConsumers
            self.routes = routes
        }
    }

    /// The schema version every service of this build needs.
    public static let requiredSchemaVersion = 18

    @MainActor
    public static func run(serviceName: String, parts: (ServiceRuntime) -> Parts) async -> Never {
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.fromEnvironment(serviceName: serviceName)
        } catch {
            FileHandle.standardError.write(Data("minhu-\(serviceName): \(error)\n".utf8))
            exit(2)
        }
        let logger = LoggingSetup.bootstrap(serviceName: "minhu-\(serviceName)", level: configuration.logLevel)
        MetricsSystem.bootstrap(PrometheusMetrics.shared)
        logger.info("starting", metadata: configuration.redactedSummary)
        let runtime = ServiceRuntime.build(configuration: configuration, logger: logger)
        let servicePart = parts(runtime)
        let router = ServiceRouter.make(health: runtime.healthMonitor(consumers: servicePart.amqpConsumers),
                                        logger: logger)
        servicePart.routes(router)
        let group = runtime.serviceGroup(consumers: servicePart.consumers, router: router)
        do {
            try await group.run()
            logger.info("stopped")
            exit(0)
        } catch {
            logger.critical("service failed", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
