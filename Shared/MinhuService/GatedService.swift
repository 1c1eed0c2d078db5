import ServiceLifecycle

/// Runs `service` only once `gate` has opened (the schema guard's check passed): the outbox relay and a service's
/// background work (the deadline watcher) act on the database, and a build deployed before `minhu migrate` must
/// not, as its consumers do not (`StartupGate`). A graceful shutdown before the gate opens ends it without running
/// `service`; a failed check ends it with the check's error.
public struct GatedService: Service {
    public let service: any Service
    public let gate: StartupGate

    public init(_ service: any Service, gate: StartupGate) {
        self.service = service
        self.gate = gate
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await gate.wait() }
        } catch is CancellationError where Task.isShuttingDownGracefully {
            return
        }
        try await service.run()
    }
}
