import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MinhuModels
import MinhuStorage
import NIOCore

/// Open311 GeoReport v2 under `/open311/v2/` (docs/open311.md): discovery, services, service definitions,
/// `POST requests` (API key of an integrator, an agent or the hotline centre), the public masked `GET requests`,
/// `requests/{id}`, `tokens/{token}`, and the `servicerequestupdates` extension for integrators. Every endpoint in
/// `.json` and `.xml`; errors are the spec's error list with the same HTTP status.
public enum Open311Routes {
    public static let prefix = "/open311/v2"
    public static let submitRoles: Set<Role> = [.integrator, .agent, .hotlineCentre]
    public static let maxBodyBytes = 64 * 1024

    public static func register(on router: Router<BasicRequestContext>, recorder: AppealRecorder,
                                database: MinhuDatabase, keys: ApiKeyStore, jurisdiction: String, logger: Logger) {
        let handler = Open311Handler(recorder: recorder, database: database, keys: keys, jurisdiction: jurisdiction,
                                     logger: logger)
        router.get("\(prefix)/:file") { request, context -> Response in
            await handler.answer(request, file: context.parameters.get("file")) { name, format, query in
                switch name {
                case "discovery": return format.response(handler.discovery.node, root: "discovery")
                case "services": return try await handler.services(format)
                case "requests": return try await handler.requests(query, format: format)
                case "servicerequestupdates": return try await handler.updates(request, query: query, format: format)
                default: throw Open311Error.notFound("no endpoint '\(name)'")
                }
            }
        }
        router.get("\(prefix)/services/:file") { request, context -> Response in
            await handler.answer(request, file: context.parameters.get("file")) { code, format, _ in
                try await handler.definition(code: code, format: format)
            }
        }
        router.get("\(prefix)/requests/:file") { request, context -> Response in
            await handler.answer(request, file: context.parameters.get("file")) { id, format, _ in
                try await handler.request(id: id, format: format)
            }
        }
        router.get("\(prefix)/tokens/:file") { request, context -> Response in
            await handler.answer(request, file: context.parameters.get("file")) { token, format, _ in
                try await handler.token(token, format: format)
            }
        }
        router.post("\(prefix)/:file") { request, context -> Response in
            await handler.answer(request, file: context.parameters.get("file")) { name, format, query in
                guard name == "requests" else { throw Open311Error.notFound("no endpoint '\(name)' for POST") }
                return try await handler.submit(request, query: query, format: format)
            }
        }
    }
}

/// The work behind `Open311Routes`.
struct Open311Handler: Sendable {
    let recorder: AppealRecorder
    let database: MinhuDatabase
    let keys: ApiKeyStore
    let jurisdiction: String
    let logger: Logger
    let dates: Open311Dates
    let store: Open311RequestStore
    let discovery: Open311Discovery

    init(recorder: AppealRecorder, database: MinhuDatabase, keys: ApiKeyStore, jurisdiction: String, logger: Logger) {
        self.recorder = recorder
        self.database = database
        self.keys = keys
        self.jurisdiction = jurisdiction
        self.logger = logger
        dates = Open311Dates(timeZone: recorder.timeZone)
        store = Open311RequestStore(database: database, logger: logger)
        var base = recorder.publicBaseURL.absoluteString
        if base.hasSuffix("/") { base.removeLast() }
        discovery = Open311Discovery(baseURL: base + Open311Routes.prefix + "/", jurisdiction: jurisdiction)
    }

    /// Splits the file into name and format (404 for another extension), checks `jurisdiction_id`, runs `body`,
    /// and turns its errors into the spec's error list.
    func answer(_ request: Request, file: String?,
                _ body: (String, Open311Format, Open311Form) async throws -> Response) async -> Response {
        guard let (name, format) = file.flatMap(Open311Format.split), !name.isEmpty else {
            return Open311Error.notFound("unknown format: use .json or .xml").response(.json)
        }
        do {
            let query = try Open311Form(parsing: Substring(request.uri.query ?? ""))
            if let id = query.value("jurisdiction_id"), id != jurisdiction {
                throw Open311Error.notFound("jurisdiction_id: this endpoint serves '\(jurisdiction)' only")
            }
            return try await body(name, format, query)
        } catch let error as Open311Error {
            return error.response(format)
        } catch {
            // The route, not the path: `tokens/<token>.json` holds a citizen's tracking token.
            var parts = request.uri.path.split(separator: "/").map(String.init)
            if parts.count > 3, !parts.isEmpty { parts[parts.count - 1] = "{id}.\(format.rawValue)" }
            logger.error("open311 request failed", metadata: ["open311.route": "/\(parts.joined(separator: "/"))",
                                                              "error": "\(PostgresErrorDetails(error))"])
            return Open311Error(500, "internal error; try again later").response(format)
        }
    }

    func services(_ format: Open311Format) async throws -> Response {
        let services = try await Open311Service.all(database: database, logger: logger)
        return format.response(.list(element: "service", services.map(\.node)), root: "services")
    }

    func definition(code: String, format: Open311Format) async throws -> Response {
        let logger = logger
        let service = try await database.withConnection { connection in
            try await Open311Service.find(code: code, on: connection, logger: logger)
        }
        guard let service else { throw Open311Error.notFound("service_code: no service '\(code)'") }
        return format.response(service.definition, root: "service_definition")
    }

    func requests(_ query: Open311Form, format: Open311Format) async throws -> Response {
        let filter = try Open311RequestFilter.requests(query, now: recorder.clock.now(), dates: dates)
        let found = try await store.requests(filter)
        return format.response(.list(element: "request", found.map { $0.node(dates: dates) }), root: "service_requests")
    }

    func request(id: String, format: Open311Format) async throws -> Response {
        var filter = try Open311RequestFilter.requests(Open311Form(fields: [:]), now: recorder.clock.now(),
                                                       dates: dates)
        filter.ids = [id]
        guard let found = try await store.requests(filter).first else {
            throw Open311Error.notFound("service_request_id: no request '\(id)'")
        }
        return format.response(.list(element: "request", [found.node(dates: dates)]), root: "service_requests")
    }

    func token(_ token: String, format: Open311Format) async throws -> Response {
        guard let caseNumber = try await store.caseNumber(token: token) else {
            throw Open311Error.notFound("token: no request for this token")
        }
        let node = Open311Node.list(element: "request", [.object([
            .init("service_request_id", .string(caseNumber)), .init("token", .string(token)),
        ])])
        return format.response(node, root: "service_requests")
    }

    func updates(_ request: Request, query: Open311Form, format: Open311Format) async throws -> Response {
        let principal = try await principal(request, form: query)
        let filter = try Open311RequestFilter.updates(query, now: recorder.clock.now(), dates: dates)
        let found = try await store.updates(filter, channel: principal.role == .integrator ? principal.channel : nil)
        return format.response(.list(element: "request", found.map { $0.updateNode(dates: dates) }),
                               root: "service_requests")
    }

    func submit(_ request: Request, query: Open311Form, format: Open311Format) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Open311Routes.maxBodyBytes {
            throw Open311Error(413, "request bodies are limited to \(Open311Routes.maxBodyBytes) bytes")
        }
        let type = request.headers[.contentType]?.lowercased() ?? "application/x-www-form-urlencoded"
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw Open311Error.badRequest("expected a body of type application/x-www-form-urlencoded")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Open311Routes.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw Open311Error(413, "request bodies are limited to \(Open311Routes.maxBodyBytes) bytes")
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw Open311Error.badRequest("the body is not UTF-8")
        }
        let form = try Open311Form(parsing: Substring(text))
        // GeoReport v2 puts a POST's jurisdiction_id in the body; the query's was checked by `answer`.
        if let id = form.value("jurisdiction_id"), id != jurisdiction {
            throw Open311Error.notFound("jurisdiction_id: this endpoint serves '\(jurisdiction)' only")
        }
        let principal = try await principal(request, form: form.value("api_key") == nil ? query : form)
        let channel = principal.role == .integrator
            ? principal.channel.flatMap(MinhuModels.Channel.init(rawValue:)) ?? .open311 : .open311
        var retryId: String?
        if let key = request.headers[HTTPField.Name("Idempotency-Key")!] {
            retryId = try Open311Submission.retryId(key: key, keyId: principal.keyId)
        }
        let recorded = try await Open311Submission(recorder: recorder, database: database, logger: logger)
            .submit(form, channel: channel, retryId: retryId)
        var response = format.response(Open311Submission.node(recorded, accountId: form.value("account_id")),
                                       root: "service_requests")
        if !recorded.isNew { response.headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return response
    }

    /// The key's principal, from `api_key` (or the `Authorization: Bearer` / `X-Api-Key` headers): 403 when it is
    /// missing, unknown, revoked, or of a role that may not use Open311.
    func principal(_ request: Request, form: Open311Form) async throws -> Principal {
        guard let key = form.value("api_key") ?? AuthMiddleware<BasicRequestContext>.key(in: request.headers) else {
            throw Open311Error.forbidden("api_key: required")
        }
        guard let principal = try await keys.principal(forKey: key) else {
            throw Open311Error.forbidden("api_key: unknown or revoked")
        }
        guard Open311Routes.submitRoles.contains(principal.role) else {
            throw Open311Error.forbidden("api_key: role \(principal.role.rawValue) may not use Open311")
        }
        return principal
    }
}
