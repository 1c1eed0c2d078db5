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

/// Runs `operation`, failing with ``DatabaseError/timeout(_:)`` when it takes longer than `timeout` (the operation
/// is then cancelled).
func withDeadline<T: Sendable>(
    _ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw DatabaseError.timeout(timeout)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}
