import Foundation
import Hummingbird
import Logging
import MinhuModels

/// The HTTP routes every service serves: `/health` (200 when ready, 503 when not; `/health/live` is liveness
/// only) and `/metrics` (Prometheus text). Services add their own routes to the returned router, behind
/// `UnexpectedErrorMiddleware` (an error no route answered becomes a problem answer, and a log line) and, when the
/// monitor has a start-up gate, `StartupGateMiddleware` (503 until the schema is checked).
public enum ServiceRouter {
    public static func make(health: HealthMonitor, metrics: PrometheusMetrics = .shared,
                            logger: Logger = Logger(label: "minhu.http")) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: UnexpectedErrorMiddleware(logger: logger))
        if let gate = health.startupGate { router.add(middleware: StartupGateMiddleware(gate: gate)) }
        router.get("/health") { _, _ -> Response in
            let report = await health.report()
            return try jsonResponse(report, status: report.ready ? .ok : .serviceUnavailable)
        }
        router.get("/health/live") { _, _ -> Response in
            try jsonResponse(["status": "live"], status: .ok)
        }
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok,
                     headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        return router
    }

    /// A JSON response with `status`.
    public static func jsonResponse<T: Encodable>(_ value: T, status: HTTPResponse.Status) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
