import Foundation

/// Holds the parts of a service that act on messages until a start-up check has passed: `SchemaGuard` opens it
/// once the database schema is new enough (or fails it), and each `MessageConsumerService` waits on it before its
/// consumer connects; the relay and background services wait in a `GatedService`, and HTTP routes answer 503
/// (`StartupGateMiddleware`). So a build deployed before `minhu migrate` holds no delivery and burns no delivery
/// attempt: it exits on the guard's error with every message still in its queue.
public final class StartupGate: @unchecked Sendable {
    private enum State {
        case waiting([UUID: CheckedContinuation<Void, any Error>])
        case open
        case failed(any Error)
    }

    private let lock = NSLock()
    private var state = State.waiting([:])
    /// Waiters cancelled before they were registered.
    private var cancelledEarly: Set<UUID> = []

    public init() {}

    /// Returns once the gate is open; throws the check's error when it failed, or `CancellationError` when the
    /// waiting task is cancelled first. Cancelling one waiter leaves the others waiting (each consumer stops on its
    /// own turn of a graceful shutdown).
    public func wait() async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                lock.lock()
                switch state {
                case .open:
                    lock.unlock()
                    continuation.resume()
                case .failed(let error):
                    lock.unlock()
                    continuation.resume(throwing: error)
                case .waiting(var waiters):
                    if cancelledEarly.remove(id) != nil {
                        lock.unlock()
                        continuation.resume(throwing: CancellationError())
                        return
                    }
                    waiters[id] = continuation
                    state = .waiting(waiters)
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            guard case .waiting(var waiters) = state else {
                lock.unlock()
                return
            }
            if let continuation = waiters.removeValue(forKey: id) {
                state = .waiting(waiters)
                lock.unlock()
                continuation.resume(throwing: CancellationError())
            } else {
                cancelledEarly.insert(id)
                lock.unlock()
            }
        }
    }

    /// True once the gate has opened (never after a failed check).
    public var isOpen: Bool {
        lock.lock()
        defer { lock.unlock() }
        if case .open = state { return true }
        return false
    }

    /// Lets every waiter (and every later one) through.
    public func open() { settle(.open) }

    /// Makes every waiter (and every later one) throw `error`.
    public func fail(_ error: any Error) { settle(.failed(error)) }

    private func settle(_ outcome: State) {
        lock.lock()
        guard case .waiting(let waiters) = state else {
            lock.unlock()
            return
        }
        state = outcome
        cancelledEarly = []
        lock.unlock()
        for waiter in waiters.values {
            switch outcome {
            case .failed(let error): waiter.resume(throwing: error)
            default: waiter.resume()
            }
        }
    }
}
