import Hummingbird

/// Answers 503 (problem+json, `Retry-After: 5`) to every route but `/health…` and `/metrics` until `gate` opens:
/// a build deployed before `minhu migrate` accepts no request that would write to a schema it was not built for.
/// Readiness (`/health`) stays "not-ready" meanwhile, as the consumers are not connected yet.
public struct StartupGateMiddleware<Context: RequestContext>: RouterMiddleware {
    public let gate: StartupGate

    public init(gate: StartupGate) { self.gate = gate }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard !gate.isOpen, !path.hasPrefix("/health"), path != "/metrics" else {
            return try await next(request, context)
        }
        return Problem.response(503, "service unavailable",
                                "the service is starting: the database schema is not checked yet; try again",
                                headers: [.retryAfter: "5"])
    }
}
