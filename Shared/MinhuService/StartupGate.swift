import Foundation

/// Holds the parts of a service that act on messages until a start-up check has passed: `SchemaGuard` opens it
/// once the database schema is new enough (or fails it), and each `MessageConsumerService` waits on it before its
/// consumer connects. So a build deployed before `minhu migrate` holds no delivery and burns no delivery attempt:
/// it exits on the guard's error with every message still in its queue.
public final class StartupGate: @unchecked Sendable {
    private enum State {
        case waiting([CheckedContinuation<Void, any Error>])
        case open
        case failed(any Error)
    }

    private let lock = NSLock()
    private var state = State.waiting([])

    public init() {}

    /// Returns once the gate is open; throws the check's error when it failed, or `CancellationError` when the
    /// waiting task is cancelled first (the service group is shutting down).
    public func wait() async throws {
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
                case .waiting(let waiters):
                    state = .waiting(waiters + [continuation])
                    lock.unlock()
                }
            }
        } onCancel: {
            fail(CancellationError())
        }
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
        lock.unlock()
        for waiter in waiters {
            switch outcome {
            case .failed(let error): waiter.resume(throwing: error)
            default: waiter.resume()
            }
        }
    }
}
