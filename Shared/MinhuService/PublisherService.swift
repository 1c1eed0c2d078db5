import MinhuMessaging
import ServiceLifecycle

/// Keeps a service's publisher for the lifetime of the service group: connects at start (retrying in the
/// background while the broker is away) and closes it on shutdown, after the relay has flushed.
public struct PublisherService: Service {
    public let publisher: AMQPPublisher

    public init(publisher: AMQPPublisher) { self.publisher = publisher }

    public func run() async throws {
        try? await publisher.connect()
        try? await gracefulShutdown()
        await publisher.shutdown()
    }
}
