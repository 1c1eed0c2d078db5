import ServiceLifecycle

/// Runs `service` only once `gate` has opened (the schema guard's check passed): the outbox relay and a service's
/// background work (the deadline watcher) act on the database, and a build deployed before `minhu migrate` must
/// not, as its consumers do not (`StartupGate`). A graceful shutdown before the gate opens, or a failed check, ends it
/// without running `service` (the schema guard reports the failure).
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
        } catch {
            // The check failed (the guard ends the group with its error), or the guard was stopped by a shutdown
            // that has not reached this service's turn yet (it fails the gate then). Either way this service ends
            // on its own turn: a service that ends before it, or throws, is taken for a crash by the group (exit 1
            // for a SIGTERM during start-up). A failed check cancels the group, which ends this wait too.
            try? await gracefulShutdown()
            return
        }
        try await service.run()
    }
}
