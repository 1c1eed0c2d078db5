import Foundation
import Hummingbird
import Logging
import MinhuStorage

/// The one authentication middleware of every service's HTTP API (DESIGN §8).
///
/// Reads the key from `Authorization: Bearer <key>` or `X-Api-Key: <key>`, looks it up in `ApiKeyStore`, and runs
/// the rest of the chain with `Principal.current` set. A missing, malformed (checked before any lookup), unknown or
/// revoked key gets 401
/// `application/problem+json` (RFC 9457). Add it to the router group of the routes that need a key, leaving
/// `/health` and `/metrics` open; routes then call `requireRole(_:)`. Keys are never logged: only the key id and
/// listed prefix.
public struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    public let store: ApiKeyStore
    public let logger: Logger

    public init(store: ApiKeyStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let key = Self.key(in: request.headers) else {
            return Problem.response(401, "unauthorized",
                                    "an API key is required (Authorization: Bearer <key> or X-Api-Key: <key>)",
                                    headers: [.wwwAuthenticate: "Bearer"])
        }
        guard ApiKeyGenerator.isWellFormed(key) else {
            logger.notice("malformed API key")
            return Problem.response(401, "unauthorized", "the API key is malformed (a key is mh_ and 64 hex digits)",
                                    headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
        }
        let principal: Principal?
        do {
            principal = try await store.principal(forKey: key)
        } catch {
            logger.error("API key lookup failed", metadata: ["error": "\(PostgresErrorDetails(error))"])
            return Problem.response(503, "service unavailable", "the API key could not be checked; try again")
        }
        guard let principal else {
            logger.notice("unknown or revoked API key", metadata: ["key.prefix": "\(ApiKeyGenerator.listedPrefix(key))"])
            return Problem.response(401, "unauthorized", "the API key is unknown or revoked",
                                    headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
        }
        return try await Principal.$current.withValue(principal) {
            try await next(request, context)
        }
    }

    /// The key of `Authorization: Bearer …` or else `X-Api-Key`, trimmed; nil when neither carries one.
    static func key(in headers: HTTPFields) -> String? {
        if let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let key = parts[1].trimmingCharacters(in: .whitespaces)
                if !key.isEmpty { return key }
            }
        }
        if let value = headers.first(where: { $0.name.canonicalName == "x-api-key" })?.value {
            let key = value.trimmingCharacters(in: .whitespaces)
            if !key.isEmpty { return key }
        }
        return nil
    }
}

/// Answers 403 (problem+json) unless the current principal's role is in `roles`; 401 when there is no principal
/// (the route was not behind `AuthMiddleware`). Returns the principal.
///
/// ```swift
/// let principal = try requireRole([.hotlineCentre])
/// ```
@discardableResult
public func requireRole(_ roles: Set<Role>) throws -> Principal {
    guard let principal = Principal.current else {
        throw Problem(status: 401, title: "unauthorized", detail: "an API key is required")
    }
    guard roles.contains(principal.role) else {
        let allowed = roles.map(\.rawValue).sorted().joined(separator: ", ")
        throw Problem(status: 403, title: "forbidden",
                      detail: "role \(principal.role.rawValue) may not do this; allowed: \(allowed)")
    }
    return principal
}

/// An RFC 9457 problem (`application/problem+json`: `type`, `title`, `status`, `detail`, optional `field`),
/// throwable from a route.
public struct Problem: HTTPResponseError, Sendable {
    public var code: Int
    public var title: String
    public var detail: String
    public var field: String?

    public init(status: Int, title: String, detail: String, field: String? = nil) {
        self.code = status
        self.title = title
        self.detail = detail
        self.field = field
    }

    public var status: HTTPResponse.Status { HTTPResponse.Status(code: code) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Self.response(code, title, detail, field: field)
    }

    public static func response(_ status: Int, _ title: String, _ detail: String, field: String? = nil,
                                headers: HTTPFields = [:]) -> Response {
        var object: [String: Any] = ["type": "about:blank", "title": title, "status": status, "detail": detail]
        if let field { object["field"] = field }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: HTTPResponse.Status(code: status), headers: fields,
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
