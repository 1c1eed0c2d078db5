import Foundation
import Hummingbird
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// The dispatcher's HTTP API, behind `AuthMiddleware` (docs/dispatcher.md, "HTTP"):
///
/// - `GET /v1/desk?limit=&offset=`: open manual-desk items, oldest first (dispatcher keys; 500 by default, at most
///   5,000 a page).
/// - `POST /v1/desk/{case_number}/decision`: body `{"category": {"level1": "城乡建设", "level2": null,
///   "level3": null}, "department": "housing", "kind"?: "complaint", "urgency"?: "normal", "tier"?: "deadline"}`;
///   200 with the emitted `appeal.classified`, 400 problem+json naming the field, 404 unknown case, 409 decided.
/// - `GET /v1/desk/decisions.csv?since=`: the manual decisions (since a date-time) as training data
///   (`id,title,detail,label`), streamed.
/// - `GET /v1/clusters/{id}`: a cluster of similar appeals (staff roles, not departments or integrators).
public enum DispatcherRoutes {
    public static let deskRoles: Set<Role> = [.dispatcher]
    public static let clusterRoles: Set<Role> = Set(Role.allCases).subtracting([.department, .integrator])

    public static func register(on router: Router<BasicRequestContext>, desk: ManualDesk, database: MinhuDatabase,
                                keys: ApiKeyStore? = nil, logger: Logger) {
        let store = keys ?? ApiKeyStore(database: database, logger: logger)
        let group = router.group().add(middleware: AuthMiddleware(store: store, logger: logger))
        group.get("/v1/desk") { request, _ -> Response in
            if let refusal = refused(deskRoles) { return refusal }
            let query = request.uri.queryParameters
            let (limit, offset) = try page(limit: query["limit"], offset: query["offset"],
                                           maximum: ManualDesk.maximumListed, default: ManualDesk.defaultListed)
            let items = try await desk.openItems(limit: limit, offset: offset, logger: logger)
            return try ServiceRouter.jsonResponse(items, status: .ok)
        }
        group.get("/v1/desk/decisions.csv") { request, _ -> Response in
            if let refusal = refused(deskRoles) { return refusal }
            var since: Date?
            if let text = request.uri.queryParameters["since"] {
                guard let date = timestamp(String(text)) else {
                    return Problem.response(400, "invalid query",
                                            "since: an ISO 8601 date-time with its offset, "
                                                + "e.g. 2026-11-01T00:00:00+08:00",
                                            field: "since")
                }
                since = date
            }
            // Streamed page by page: an export of years of decisions is never held whole.
            let from = since
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: ManualDesk.decisionsHeader))
                var cursor: ManualDesk.DecisionCursor?
                repeat {
                    let page = try await desk.decisionsPage(since: from, after: cursor, logger: logger)
                    if !page.csv.isEmpty { try await writer.write(ByteBuffer(string: page.csv)) }
                    cursor = page.next
                } while cursor != nil
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: body)
        }
        group.post("/v1/desk/:case_number/decision") { request, context -> Response in
            let principal: Principal
            do { principal = try requireRole(deskRoles) } catch let refusal as Problem {
                return Problem.response(refusal.code, refusal.title, refusal.detail)
            }
            let caseNumber = context.parameters.get("case_number") ?? ""
            let buffer = try await request.collectBody(upTo: 64 * 1024)
            let decision: ManualDesk.Decision
            switch parseDecision(Data(buffer.readableBytesView), decidedBy: principal.name) {
            case .failure(let refusal):
                return Problem.response(400, "invalid request body", refusal.reason, field: refusal.field)
            case .success(let value):
                decision = value
            }
            do {
                let classified = try await desk.decide(caseNumber: caseNumber, decision: decision, logger: logger)
                let data = try MinhuJSON.encode(classified)
                return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(bytes: data)))
            } catch let refusal as ManualDesk.Refusal {
                switch refusal.kind {
                case .notFound: return Problem.response(404, "not found", refusal.reason, field: refusal.field)
                case .conflict: return Problem.response(409, "conflict", refusal.reason, field: refusal.field)
                case .invalid: return Problem.response(400, "invalid decision", refusal.reason, field: refusal.field)
                }
            }
        }
        group.get("/v1/clusters/:id") { request, context -> Response in
            if let refusal = refused(clusterRoles) { return refusal }
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
                return Problem.response(400, "invalid cluster id", "the cluster id must be a UUID", field: "id")
            }
            let query = request.uri.queryParameters
            let (limit, offset) = try page(limit: query["limit"], offset: query["offset"],
                                           maximum: ClusterView.maximumMembers, default: ClusterView.defaultMembers)
            guard let view = try await ClusterView.load(id, members: limit, after: offset, database: database,
                                                        logger: logger) else {
                return Problem.response(404, "not found", "no cluster \(id.uuidString.lowercased())")
            }
            return try ServiceRouter.jsonResponse(view, status: .ok)
        }
    }

    /// The `limit` (1 to `maximum`, `fallback` when absent) and `offset` (from 0) of a listing; a 400 problem
    /// naming the parameter otherwise.
    static func page(limit: Substring?, offset: Substring?, maximum: Int,
                     default fallback: Int) throws(Problem) -> (limit: Int, offset: Int) {
        guard let limit = integer(limit, in: 1...maximum, default: fallback) else {
            throw Problem(status: 400, title: "invalid query", detail: "limit: an integer from 1 to \(maximum)",
                          field: "limit")
        }
        guard let offset = integer(offset, in: 0...Int(Int32.max), default: 0) else {
            throw Problem(status: 400, title: "invalid query", detail: "offset: an integer from 0", field: "offset")
        }
        return (limit, offset)
    }

    /// A query parameter as an integer in `range`; `fallback` when absent, nil when not such an integer.
    static func integer(_ text: Substring?, in range: ClosedRange<Int>, default fallback: Int) -> Int? {
        guard let text else { return fallback }
        guard let value = Int(text), range.contains(value) else { return nil }
        return value
    }

    /// An ISO 8601 date-time with its offset (`Z`, `±hh:mm` or `±hhmm`), fractional seconds allowed, as messages carry
    /// them; a space where the offset's `+` was (a query string's `+` often arrives decoded as a space) is read as `+`.
    static func timestamp(_ text: String) -> Date? {
        MinhuJSON.parseDate(QueryDateText.rfc3339(text))
    }

    /// The 401/403 problem when the request's key lacks one of `roles`.
    static func refused(_ roles: Set<Role>) -> Response? {
        do {
            _ = try requireRole(roles)
            return nil
        } catch let refusal as Problem {
            return Problem.response(refusal.code, refusal.title, refusal.detail)
        } catch {
            return Problem.response(403, "forbidden", "\(error)")
        }
    }

    /// Parses a decision body; the refusal names the field.
    public static func parseDecision(_ body: Data, decidedBy: String) -> Result<ManualDesk.Decision, ManualDesk.Refusal> {
        func invalid(_ field: String?, _ reason: String) -> Result<ManualDesk.Decision, ManualDesk.Refusal> {
            .failure(ManualDesk.Refusal(kind: .invalid, field: field, reason: reason))
        }
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            return invalid(nil, "the body must be a JSON object")
        }
        let known: Set<String> = ["category", "department", "kind", "urgency", "tier"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            return invalid(unknown, "unknown field '\(unknown)'")
        }
        guard let categoryValue = object["category"] else { return invalid("category", "missing required field 'category'") }
        guard let categoryObject = categoryValue as? [String: Any] else {
            return invalid("category", "field 'category': expected an object {level1, level2, level3}")
        }
        func level(_ name: String) -> (String?, Bool) {  // (value, valid)
            guard let value = categoryObject[name], !(value is NSNull) else { return (nil, true) }
            guard let text = value as? String, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return (nil, false) }
            return (text, true)
        }
        if let unknown = categoryObject.keys.sorted().first(where: { !["level1", "level2", "level3"].contains($0) }) {
            return invalid("category.\(unknown)", "unknown field 'category.\(unknown)'")
        }
        // PostgreSQL text cannot hold NUL: refused here, as intake does, rather than failing the query with a 500.
        for name in ["level1", "level2", "level3"] where (categoryObject[name] as? String)?.contains("\u{0}") == true {
            return invalid("category.\(name)", "field 'category.\(name)' contains a NUL character")
        }
        if (object["department"] as? String)?.contains("\u{0}") == true {
            return invalid("department", "field 'department' contains a NUL character")
        }
        let (level1, ok1) = level("level1")
        guard ok1, let level1 else { return invalid("category.level1", "field 'category.level1': expected a non-empty string") }
        let (level2, ok2) = level("level2")
        guard ok2 else { return invalid("category.level2", "field 'category.level2': expected a non-empty string or null") }
        let (level3, ok3) = level("level3")
        guard ok3 else { return invalid("category.level3", "field 'category.level3': expected a non-empty string or null") }
        if level3 != nil && level2 == nil {
            return invalid("category.level3", "field 'category.level3' needs 'category.level2'")
        }
        guard let department = object["department"] as? String, !department.isEmpty else {
            return invalid("department", "field 'department': expected a department code")
        }
        func code<T: RawRepresentable>(_ name: String, _ type: T.Type) -> (T?, Bool) where T.RawValue == String {
            guard let value = object[name], !(value is NSNull) else { return (nil, true) }
            guard let text = value as? String, let parsed = T(rawValue: text) else { return (nil, false) }
            return (parsed, true)
        }
        let (kind, okKind) = code("kind", AppealKind.self)
        guard okKind else { return invalid("kind", "field 'kind': expected one of \(AppealKind.allCases.map(\.rawValue))") }
        let (urgency, okUrgency) = code("urgency", Urgency.self)
        guard okUrgency else { return invalid("urgency", "field 'urgency': expected one of \(Urgency.allCases.map(\.rawValue))") }
        let (tier, okTier) = code("tier", HandlingTier.self)
        guard okTier else { return invalid("tier", "field 'tier': expected one of \(HandlingTier.allCases.map(\.rawValue))") }
        return .success(ManualDesk.Decision(category: CategoryPath(level1: level1, level2: level2, level3: level3),
                                            department: department, kind: kind, urgency: urgency, tier: tier,
                                            decidedBy: decidedBy))
    }
}

/// `GET /v1/clusters/{id}`: what a cluster of similar appeals holds.
public struct ClusterView: Encodable, Sendable {
    public var id: UUID
    public var title: String
    public var size: Int
    /// Distinct citizens among the members (see `ClusterRegistry.people`).
    public var people: Int
    public var first: String
    public var last: String
    public var place: Place
    public var category: String?
    /// The case numbers of the members, in the order they joined: `limit` of them from `offset`.
    public var members: [String]
    /// How many members the cluster has.
    public var members_total: Int
    public var hotspot_levels: [Int]

    /// The most members one answer lists (`limit`), and how many by default: a city-wide matter can gather
    /// hundreds of thousands over the years.
    public static let maximumMembers = 10_000
    public static let defaultMembers = 1_000

    public static func load(_ id: UUID, members limit: Int = defaultMembers, after offset: Int = 0,
                            database: MinhuDatabase, logger: Logger) async throws -> ClusterView? {
        try await database.withConnection { connection in
            let rows = try await connection.guardedQuery("""
                SELECT title, size, first_at, last_at, place::text, category, hotspot_levels_emitted
                FROM clusters WHERE id = \(id)
                """, logger: logger)
            var found: (String, Int, Date, Date, String, String?, [Int32])?
            for try await row in rows.decode((String, Int, Date, Date, String, String?, [Int32]).self) { found = row }
            guard let (title, size, first, last, place, category, levels) = found else { return nil }
            // People as `ClusterRegistry.people` counts them: distinct keys, plus one per member without one.
            let countRows = try await connection.guardedQuery("""
                SELECT count(*), count(DISTINCT citizen_key) + count(*) FILTER (WHERE citizen_key IS NULL)
                FROM cluster_members WHERE cluster_id = \(id)
                """, logger: logger)
            var (total, people) = (0, 0)
            for try await counts in countRows.decode((Int, Int).self) { (total, people) = counts }
            let memberRows = try await connection.guardedQuery("""
                SELECT case_number FROM cluster_members WHERE cluster_id = \(id)
                ORDER BY joined_at, case_number LIMIT \(limit) OFFSET \(offset)
                """, logger: logger)
            var members: [String] = []
            for try await (caseNumber,) in memberRows.decode((String,).self) { members.append(caseNumber) }
            let format = ISO8601DateFormatter()
            return ClusterView(id: id, title: title, size: size, people: people, first: format.string(from: first),
                               last: format.string(from: last),
                               place: (try? MinhuJSON.decode(Place.self, from: Data(place.utf8))) ?? Place(),
                               category: category, members: members, members_total: total,
                               hotspot_levels: levels.map(Int.init))
        }
    }
}
