import Foundation
import PostgresNIO

/// What a driver error says, fit for logs: the SQLSTATE and the server's message, never the query's bound values.
///
/// `PSQLError`'s own description is deliberately generic ("Generic description to prevent accidental leakage"),
/// which makes logs useless; its debug description includes the bound values (citizens' data). This sits between.
public struct PostgresErrorDetails: Sendable, Hashable, CustomStringConvertible {
    /// The five-character SQLSTATE, e.g. `23505`, when the server reported the error.
    public let sqlState: String?
    /// The server's primary message, or the driver's error code, or the error's own description.
    public let message: String

    public init(_ error: any Error) {
        let unwrapped = PostgresErrorDetails.unwrap(error)
        if let psql = unwrapped as? PSQLError {
            if let serverInfo = psql.serverInfo {
                sqlState = serverInfo[.sqlState]
                message = serverInfo[.message] ?? "server error"
            } else {
                sqlState = nil
                message = "\(psql.code)"
            }
        } else {
            sqlState = nil
            message = "\(unwrapped)"
        }
    }

    public var description: String {
        if let sqlState { return "\(message) (SQLSTATE \(sqlState))" }
        return message
    }

    /// The innermost error of a `PostgresTransactionError`.
    static func unwrap(_ error: any Error) -> any Error {
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError {
                return unwrap(inner)
            }
        }
        return error
    }
}

extension PostgresErrorDetails {
    /// True for the SQLSTATEs of a transaction that may succeed when retried (serialization failure, deadlock).
    public var isTransient: Bool {
        sqlState == "40001" || sqlState == "40P01"
    }
}
