import Foundation
import Hummingbird
import Logging
import MinhuModels
import MinhuStorage

/// `POST /v1/deadlines/{case_number}/extension-decision`: the hotline centre decides a pending extension request.
///
/// Body (JSON): `{"approve": true, "days": 5}` or `{"approve": true, "until": "2024-03-15"}` or
/// `{"approve": false, "reason": "材料不足"}`, with optional `decided_by` (who; defaults to the API key's name) and
/// optional `reason`. Answers 200 with the decision, or `application/problem+json` naming the field at fault (400),
/// 401 (no valid API key), 403 (a role other than hotline-centre), 404 or 409.
///
/// Behind `AuthMiddleware` (docs/operations.md, "API keys and roles"): only `hotline-centre` keys may decide.
public enum ExtensionDecisionRoute {
    public static let path = "/v1/deadlines/:case_number/extension-decision"
    public static let allowedRoles: Set<Role> = [.hotlineCentre]

    /// Registers the route behind `AuthMiddleware`; `keys` defaults to a store on `database`.
    public static func register(on router: Router<BasicRequestContext>, decider: ExtensionDecider,
                                database: MinhuDatabase, keys: ApiKeyStore? = nil, logger: Logger) {
        let store = keys ?? ApiKeyStore(database: database, logger: logger)
        router.group().add(middleware: AuthMiddleware(store: store, logger: logger))
            .post(RouterPath(path)) { request, context -> Response in
            let principal: Principal
            do { principal = try requireRole(allowedRoles) } catch let refusal as Problem {
                return problem(refusal.code, refusal.title, refusal.detail, field: nil)
            }
            let caseNumber = context.parameters.get("case_number") ?? ""
            let buffer = try await request.collectBody(upTo: 64 * 1024)
            let body = Data(buffer.readableBytesView)
            let parsed: (approve: Bool, grant: ExtensionDecider.Grant, reason: String?, decidedBy: String)
            switch parse(body, defaultDecidedBy: principal.name) {
            case .failure(let refusal):
                return problem(400, "invalid request body", refusal.reason, field: refusal.field)
            case .success(let value):
                parsed = value
            }
            do {
                let outcome = try await decider.decide(.caseNumber(caseNumber), approve: parsed.approve,
                                                       grant: parsed.grant, reason: parsed.reason,
                                                       decidedBy: parsed.decidedBy, database: database,
                                                       logger: logger)
                // `decided_by` is what the caller wrote; the key says who it was (an audit trail of its own).
                logger.notice("extension decision by API key", metadata: [
                    "api_key.id": "\(principal.keyId)", "api_key.name": "\(principal.name)",
                    "appeal.case_number": "\(outcome.caseNumber)", "extension.decided_by": "\(parsed.decidedBy)",
                    "extension.approved": "\(outcome.approved)"])
                return try ServiceRouter.jsonResponse(Answer(outcome), status: .ok)
            } catch let refusal as ExtensionDecider.Refusal {
                switch refusal.kind {
                case .notFound: return problem(404, "not found", refusal.reason, field: refusal.field)
                case .conflict: return problem(409, "conflict", refusal.reason, field: refusal.field)
                case .invalid: return problem(400, "invalid decision", refusal.reason, field: refusal.field)
                }
            }
        }
    }

    struct Answer: Encodable {
        var case_number: String
        var approved: Bool
        var granted_working_days: Int
        var reply_by: String
        init(_ outcome: ExtensionDecider.Outcome) {
            case_number = outcome.caseNumber
            approved = outcome.approved
            granted_working_days = outcome.grantedWorkingDays
            reply_by = ISO8601DateFormatter().string(from: outcome.replyBy)
        }
    }

    /// Parses the body; the refusal names the field.
    public static func parse(_ body: Data, defaultDecidedBy: String? = nil) -> Result<(approve: Bool, grant: ExtensionDecider.Grant, reason: String?,
                                               decidedBy: String), ExtensionDecider.Refusal> {
        func invalid(_ field: String?, _ reason: String) -> Result<(approve: Bool, grant: ExtensionDecider.Grant,
                                                                    reason: String?, decidedBy: String),
                                                                   ExtensionDecider.Refusal> {
            .failure(ExtensionDecider.Refusal(kind: .invalid, field: field, reason: reason))
        }
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            return invalid(nil, "the body must be a JSON object")
        }
        let known: Set<String> = ["approve", "days", "until", "reason", "decided_by"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            return invalid(unknown, "unknown field '\(unknown)'")
        }
        guard let approveValue = object["approve"] else { return invalid("approve", "missing required field 'approve'") }
        guard let approve = approveValue as? Bool, CFGetTypeIDIsBool(approveValue) else {
            return invalid("approve", "field 'approve': expected true or false")
        }
        let decidedBy: String
        if let value = object["decided_by"] {
            guard let text = value as? String, !text.isEmpty else {
                return invalid("decided_by", "field 'decided_by': expected a non-empty string (who decides)")
            }
            decidedBy = text
        } else if let defaultDecidedBy, !defaultDecidedBy.isEmpty {
            decidedBy = defaultDecidedBy
        } else {
            return invalid("decided_by", "missing required field 'decided_by' (who decides)")
        }
        var reason: String?
        if let value = object["reason"] {
            guard let text = value as? String else { return invalid("reason", "field 'reason': expected a string") }
            reason = text
        }
        var grant = ExtensionDecider.Grant.requested
        if object["days"] != nil && object["until"] != nil {
            return invalid("until", "give 'days' or 'until', not both")
        }
        if let value = object["days"] {
            guard let days = value as? Int, !CFGetTypeIDIsBool(value) else {
                return invalid("days", "field 'days': expected an integer")
            }
            grant = .workingDays(days)
        }
        if let value = object["until"] {
            guard let text = value as? String, let day = LocalDate(iso: text) else {
                return invalid("until", "field 'until': expected a date YYYY-MM-DD")
            }
            grant = .until(day)
        }
        return .success((approve, grant, reason, decidedBy))
    }

    /// True when a JSONSerialization value is a boolean (NSNumber bridges both).
    private static func CFGetTypeIDIsBool(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c" || type(of: number) == type(of: NSNumber(value: true))
    }

    static func problem(_ status: Int, _ title: String, _ detail: String, field: String?) -> Response {
        Problem.response(status, title, detail, field: field)
    }
}
