import Foundation
import Hummingbird
import Logging
import MinhuStorage
import NIOCore

/// The outermost middleware of every service's router: an error that no route turned into an answer becomes an
/// `application/problem+json` answer, and is logged.
///
/// - A body over the limit a route collects (`NIOTooManyBytesError`) is a 413 problem (Hummingbird's own answer
///   has no body); `Request.collectBody(upTo:)` answers so itself, with the limit.
/// - Errors that are answers already (`HTTPResponseError`: `Problem`, Hummingbird's 404 and 405 …) pass through.
/// - Anything else (the database down, a connection lost mid-request) is a 503 problem with `Retry-After: 5`,
///   logged as a warning with the method, the route's pattern and the error's primary message only (never the
///   path, which may hold a phone number, nor the body). A request
///   retried with its `Idempotency-Key` then has its effect once.
public struct UnexpectedErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch is NIOTooManyBytesError {
            // (Routes that read a body use `Request.collectBody(upTo:)`, which names the limit.)
            return Problem.response(413, "body too large", "the request body is larger than this endpoint accepts")
        } catch let error as any HTTPResponseError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // The route's pattern, never the path itself: paths carry phone numbers (`/v1/callers/{phone}`) and
            // tracking tokens.
            logger.warning("request failed", metadata: [
                "http.method": "\(request.method)", "http.route": "\(context.endpointPath ?? "-")",
                "error": "\(PostgresErrorDetails(error))"])
            return Problem.response(503, "service unavailable",
                                    "the request could not be completed now; try again (a submission retried with "
                                        + "the same Idempotency-Key is recorded once)",
                                    headers: [.retryAfter: "5"])
        }
    }
}
