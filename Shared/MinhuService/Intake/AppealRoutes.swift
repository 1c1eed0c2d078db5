import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MinhuModels
import MinhuStorage
import NIOCore

/// The native HTTP API of intake (docs/intake.md):
///
/// - `POST /v1/appeals` (agent, dispatcher, hotline centre, or an integrator for its own channel), with an
///   `Idempotency-Key` header: 201 with the appeal id, case number and tracking link; 200 for a resend of a
///   channel id already recorded; the same key and body again replays the first answer, another body 422, a
///   request still in flight 409; 400 naming the field, 413 over the size limit, 401/403.
/// - `GET /v1/appeals/{case_number}`: with `?token=` (the tracking link) the citizen's masked view, without a
///   key; with a key, the staff view of the key's role (`AppealViewLoader`).
public enum AppealRoutes {
    public static let submitRoles: Set<Role> = [.agent, .dispatcher, .hotlineCentre, .integrator]

    public static func register(on router: Router<BasicRequestContext>, submission: IdempotentSubmission,
                                settings: IntakeSettings, database: MinhuDatabase, keys: ApiKeyStore,
                                logger: Logger) {
        router.group().add(middleware: AuthMiddleware(store: keys, logger: logger))
            .post("/v1/appeals") { request, _ -> Response in
                try await submit(request, submission: submission, settings: settings, database: database,
                                 logger: logger)
            }
        let views = AppealViewLoader(database: database, logger: logger)
        router.get("/v1/appeals/:case_number") { request, context -> Response in
            let caseNumber = context.parameters.get("case_number") ?? ""
            if let token = request.uri.queryParameters["token"].map(String.init) {
                guard let view = try await views.citizenView(caseNumber: caseNumber, token: token) else {
                    return Problem.response(404, "not found", "no appeal with this case number and token")
                }
                return try jsonResponse(view)
            }
            guard let key = AuthMiddleware<BasicRequestContext>.key(in: request.headers) else {
                return Problem.response(401, "unauthorized",
                                        "a tracking token (?token=) or an API key is required",
                                        headers: [.wwwAuthenticate: "Bearer"])
            }
            guard let principal = try await keys.principal(forKey: key) else {
                return Problem.response(401, "unauthorized", "the API key is unknown or revoked")
            }
            switch try await views.staffView(caseNumber: caseNumber, principal: principal) {
            case .found(let view): return try jsonResponse(view)
            case .notFound: return Problem.response(404, "not found", "no appeal with case number '\(caseNumber)'")
            case .forbidden(let reason): return Problem.response(403, "forbidden", reason)
            }
        }
    }

    static func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: try MinhuJSON.encode(value))))
    }

    static func submit(_ request: Request, submission: IdempotentSubmission, settings: IntakeSettings,
                       database: MinhuDatabase, logger: Logger) async throws -> Response {
        let principal: Principal
        do { principal = try requireRole(submitRoles) } catch let refusal as Problem {
            return Problem.response(refusal.code, refusal.title, refusal.detail)
        }
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!], !key.isEmpty else {
            return Problem.response(400, "missing Idempotency-Key",
                                    "the Idempotency-Key header is required (a unique value per appeal, reused on retry)",
                                    field: "Idempotency-Key")
        }
        guard key.unicodeScalars.count <= IdempotentSubmission.maxKeyLength else {
            return Problem.response(400, "invalid Idempotency-Key",
                                    "longer than \(IdempotentSubmission.maxKeyLength) characters",
                                    field: "Idempotency-Key")
        }
        let body = Data(try await request.collectBody(upTo: settings.maxBodyBytes).readableBytesView)
        let draft: AppealDraft
        switch AppealSubmission.parse(body, now: submission.recorder.clock.now()) {
        case .failure(let refusal):
            return Problem.response(400, "invalid appeal", refusal.reason, field: refusal.field)
        case .success(let value):
            draft = value
        }
        guard principal.role != .integrator || principal.mayActForChannel(draft.channel.rawValue) else {
            return Problem.response(403, "forbidden",
                                    "this key submits for channel '\(principal.channel ?? "")' only, not '\(draft.channel)'",
                                    field: "channel")
        }
        let outcome: IdempotentSubmission.Outcome
        do {
            outcome = try await submission.submit(draft, scope: principal.keyId.uuidString, key: key,
                                                  requestHash: SHA256.hexDigest(of: [UInt8](body)),
                                                  database: database, logger: logger)
        } catch let overloaded as SubmissionBatcher.Overloaded {
            return Problem.response(503, "too many submissions waiting",
                                    "\(overloaded); nothing was recorded, retry in a few seconds",
                                    headers: [.retryAfter: "5"])
        }
        switch outcome {
        case .inFlight:
            return Problem.response(409, "request in flight",
                                    "a request with this Idempotency-Key is still being processed; retry later")
        case .keyReused:
            return Problem.response(422, "Idempotency-Key reused",
                                    "this Idempotency-Key was used with a different body", field: "Idempotency-Key")
        case .answered(let status, let answer, let replayed):
            var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
            if replayed { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
            return Response(status: HTTPResponse.Status(code: status), headers: headers,
                            body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        }
    }
}
