import Foundation
import Hummingbird
import Logging
import MinhuMessaging
import MinhuModels
import MinhuStorage
import ServiceLifecycle
import UnixSignals

/// The object graph of one Minhu service, built by `ServiceRuntime.build` — the same function for `main` and for
/// tests, so tests run exactly what production runs.
///
/// Services in the group start in this order and shut down in reverse: database pool, publisher, outbox relay,
/// schema guard, consumers (which connect once the guard has checked the schema), HTTP server. On SIGTERM the HTTP
/// server stops, consumers stop consuming and finish what they hold, the relay flushes the outbox, the publisher
/// closes, the pool closes; the process exits 0.
///
/// ```swift
/// let runtime = ServiceRuntime.build(configuration: configuration, logger: logger)
/// let consumer = runtime.consumer(queue: "dispatcher.events", handler: MyHandler())
/// let router = ServiceRouter.make(health: runtime.healthMonitor(consumers: [consumer.consumer]))
/// try await runtime.serviceGroup(consumers: [consumer], router: router).run()
/// ```
/// (`ServiceMain.run` does this for every service's `main.swift`.)
public final class ServiceRuntime: Sendable {
    public let configuration: ServiceConfiguration
    public let logger: Logger
    public let database: MinhuDatabase
    public let publisher: AMQPPublisher
    public let relay: OutboxRelay
    public let topology: Topology
    /// Opened by the group's `SchemaGuard` once the schema is new enough; the consumers connect only then.
    public let startupGate = StartupGate()
    /// The producer name on outbox rows and the AMQP `app_id`, e.g. `minhu-intake`.
    public var producer: String { "minhu-\(configuration.serviceName)" }

    private init(configuration: ServiceConfiguration, logger: Logger, database: MinhuDatabase,
                 publisher: AMQPPublisher, relay: OutboxRelay, topology: Topology) {
        self.configuration = configuration
        self.logger = logger
        self.database = database
        self.publisher = publisher
        self.relay = relay
        self.topology = topology
    }

    /// Builds the database pool, the publisher (declaring this service's part of the topology on each
    /// connection) and the outbox relay of `configuration.serviceName`.
    public static func build(configuration: ServiceConfiguration, logger: Logger,
                             topology: Topology = MinhuTopology.make(departments: [], channels: [])) -> ServiceRuntime {
        var databaseConfiguration = configuration.database
        databaseConfiguration.applicationName = "minhu-\(configuration.serviceName)"
        let database = MinhuDatabase(configuration: databaseConfiguration, logger: logger)
        let part = MinhuTopology.part(of: topology, forService: configuration.serviceName)
        let publisher = AMQPPublisher(url: configuration.amqpURL, options: configuration.amqpOptions(role: "publisher"),
                                      topology: part, logger: logger)
        let relay = OutboxRelay(database: database, publisher: publisher,
                                producer: "minhu-\(configuration.serviceName)", logger: logger)
        return ServiceRuntime(configuration: configuration, logger: logger, database: database,
                              publisher: publisher, relay: relay, topology: part)
    }

    /// A consumer of `queue` with `handler`, declaring this service's part of the topology on each connection.
    public func consumer<Handler: MessageHandler>(
        queue: String, handler: Handler,
        afterCommit: (@Sendable ([AMQPDelivery]) async -> Void)? = nil
    ) -> MessageConsumerService<Handler> {
        let amqpConsumer = AMQPConsumer(url: configuration.amqpURL, queue: queue, prefetch: configuration.prefetch,
                                        options: configuration.amqpOptions(role: queue), topology: topology,
                                        startNow: false, logger: logger)
        return MessageConsumerService(consumer: amqpConsumer, consumerName: queue, producer: producer,
                                      handler: handler, database: database, deadLetters: publisher, logger: logger,
                                      gate: startupGate, afterCommit: afterCommit)
    }

    /// The `/health` monitor over the database, the publisher and `consumers`.
    public func healthMonitor(consumers: [AMQPConsumer]) -> HealthMonitor {
        let publisher = self.publisher
        var checks = [HealthMonitor.BrokerCheck(name: "publisher", isUp: { publisher.isConnected })]
        for consumer in consumers {
            checks.append(.init(name: "consumer \(consumer.queue)", isUp: { consumer.isConnected }))
        }
        return HealthMonitor(serviceName: configuration.serviceName, database: database, brokerChecks: checks,
                             startupGate: startupGate)
    }

    /// The service group: database, publisher, relay, the schema guard (which opens `startupGate`), `consumers`,
    /// then the HTTP server built from `router`. The relay and `consumers` start once the gate opens.
    /// - Parameter onHTTPRunning: called with the bound port (useful with `MINHU_HTTP_PORT=0`).
    public func serviceGroup(consumers: [any Service], router: Router<BasicRequestContext>,
                             signals: [UnixSignal] = [.sigterm, .sigint],
                             onHTTPRunning: (@Sendable (Int) async -> Void)? = nil) -> ServiceGroup {
        let logger = self.logger
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort),
                                 serverName: "minhu-\(configuration.serviceName)"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("HTTP server listening", metadata: ["http.port": "\(port)"])
                await onHTTPRunning?(port)
            },
            logger: logger)
        let schemaGuard = SchemaGuard(database: database, requiredVersion: ServiceMain.requiredSchemaVersion,
                                      gate: startupGate, logger: logger)
        // The relay and the consumers (and background services such as the deadline watcher) act only once the
        // schema is checked; consumers wait on the gate themselves too.
        var services: [any Service] = [database, PublisherService(publisher: publisher),
                                       GatedService(relay, gate: startupGate), schemaGuard]
        services.append(contentsOf: consumers.map { GatedService($0, gate: startupGate) })
        services.append(app)
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: signals,
            cancellationSignals: [],
            logger: logger)
        // Past this, whatever is still draining is cancelled (unacked messages return to their queues).
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.shutdownTimeoutSeconds)
        return ServiceGroup(configuration: groupConfiguration)
    }
}
