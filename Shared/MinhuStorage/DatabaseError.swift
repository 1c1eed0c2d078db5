import Foundation

/// Errors of MinhuStorage's own making (the driver's errors are passed through; see ``PostgresErrorDetails``).
public enum DatabaseError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// The operation did not finish in time.
    case timeout(Duration)
    /// A message body is not UTF-8 text (the outbox stores JSON text).
    case bodyNotUTF8(messageID: UUID)
    /// The publisher answered with a number of outcomes different from the number of messages.
    case outcomeCountMismatch(expected: Int, got: Int)
    /// The connection closed while a query waited on it (see `ConnectionCloseWatch`).
    case connectionClosed

    public var description: String {
        switch self {
        case .timeout(let duration):
            "the database did not answer within \(duration)"
        case .bodyNotUTF8(let messageID):
            "the body of message \(messageID) is not UTF-8 text"
        case .outcomeCountMismatch(let expected, let got):
            "the publisher returned \(got) outcomes for \(expected) messages"
        case .connectionClosed:
            "the database connection closed before the query was answered"
        }
    }

    public var errorDescription: String? { description }
}

/// Runs `operation`, failing with ``DatabaseError/timeout(_:)`` when it takes longer than `timeout`; the operation
/// is then cancelled and left to end on its own. The caller is answered at the deadline even when the operation
/// ignores cancellation (a query on a connection whose peer went silent waits for TCP to give up), which a task
/// group could not do: it waits for every child.
func withDeadline<T: Sendable>(
    _ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let work = Task { try await operation() }
    let answer = FirstAnswer<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            answer.wait(with: continuation)
            let timer = Task {
                try? await Task.sleep(for: timeout)
                if answer.give(.failure(DatabaseError.timeout(timeout))) { work.cancel() }
            }
            Task {
                let result = await work.result
                if answer.give(result) { timer.cancel() }
            }
        }
    } onCancel: {
        work.cancel()
        _ = answer.give(.failure(CancellationError()))
    }
}

/// The first of several results, handed to one waiting continuation (later ones are dropped).
private final class FirstAnswer<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?
    private var done = false

    func wait(with continuation: CheckedContinuation<T, any Error>) {
        lock.lock()
        if let early {
            lock.unlock()
            continuation.resume(with: early)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    /// Delivers `result` if nothing was delivered yet; returns whether it was the first.
    func give(_ result: Result<T, any Error>) -> Bool {
        lock.lock()
        guard !done else {
            lock.unlock()
            return false
        }
        done = true
        let waiting = continuation
        continuation = nil
        if waiting == nil { early = result }
        lock.unlock()
        waiting?.resume(with: result)
        return true
    }
}
