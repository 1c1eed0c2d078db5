import Foundation
import Hummingbird
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// `GET /v1/callers/{phone}`: who is calling, for the agent's screen: whether the number is a registered deputy's
/// (人大代表), and the caller's earlier appeals (newest first, at most 50).
///
/// The phone may be written in any format `Citizen.normalizePhone` reads (`+86 138-0013-8000`, `013800138000`…);
/// one it cannot read is a 400 problem naming the field `phone`. The answer shows the phone masked:
///
/// ```json
/// {"phone": "138****8000",
///  "deputy": {"id": "…", "name": "王建国", "level": "city", "level_name": "市级", "constituency": "城南区"},
///  "appeals": [{"case_number": "20240301-000123", "title": "…", "channel": "hotline",
///               "received_at": "2024-03-01T02:00:00Z", "status": "dispatched", "status_name": "已转办"}]}
/// ```
///
/// Behind `AuthMiddleware`: roles agent, dispatcher and hotline-centre (401 without a valid key, 403 otherwise).
public enum CallerRoute {
    public static let path = "/v1/callers/:phone"
    public static let allowedRoles: Set<Role> = [.agent, .dispatcher, .hotlineCentre]
    /// The most earlier appeals the answer lists.
    public static let appealLimit = 50

    /// Registers the route behind `AuthMiddleware` with `keys`.
    public static func register(on router: Router<BasicRequestContext>, database: MinhuDatabase, keys: ApiKeyStore,
                                logger: Logger) {
        router.group().add(middleware: AuthMiddleware(store: keys, logger: logger))
            .get(RouterPath(path)) { _, context -> Response in
                do { try requireRole(allowedRoles) } catch let refusal as Problem {
                    return Problem.response(refusal.code, refusal.title, refusal.detail)
                }
                let raw = context.parameters.get("phone") ?? ""
                let decoded = raw.removingPercentEncoding ?? raw
                guard let phone = Citizen.normalizePhone(decoded) else {
                    return Problem.response(400, "invalid phone",
                                            "'phone' is not a phone number (e.g. 13800138000, +86 138-0013-8000, "
                                            + "0710-3456789)", field: "phone")
                }
                let answer = try await lookup(phone: phone, database: database, logger: logger)
                logger.debug("caller looked up", metadata: ["phone": "\(Citizen.maskPhone(phone))",
                                                            "deputy": "\(answer.deputy != nil)",
                                                            "appeals": "\(answer.appeals.count)"])
                return try ServiceRouter.jsonResponse(answer, status: .ok)
            }
    }

    /// The answer for a normalised `phone`.
    public static func lookup(phone: String, database: MinhuDatabase, logger: Logger) async throws -> Answer {
        try await database.withConnection { connection -> Answer in
            let deputy = try await DeputyRegistry.lookup(phone: phone, on: connection, logger: logger)
            let rows = try await connection.guardedQuery("""
                SELECT a.case_number, a.title, a.channel, a.received_at, coalesce(s.status, 'received')
                FROM citizen_contacts c
                JOIN appeals a ON a.id = c.appeal_id
                LEFT JOIN appeal_status s ON s.appeal_id = a.id
                WHERE c.phone = \(phone)
                ORDER BY a.received_at DESC, a.case_number DESC
                LIMIT \(appealLimit)
                """, logger: logger)
            var appeals: [Answer.EarlierAppeal] = []
            let format = ISO8601DateFormatter()
            for try await (caseNumber, title, channel, receivedAt, status) in rows.decode(
                (String, String, String, Date, String).self) {
                appeals.append(Answer.EarlierAppeal(
                    case_number: caseNumber, title: title, channel: channel,
                    received_at: format.string(from: receivedAt), status: status,
                    status_name: AppealStatus(rawValue: status)?.chineseName ?? status))
            }
            return Answer(phone: Citizen.maskPhone(phone), deputy: deputy.map(Answer.DeputyView.init), appeals: appeals)
        }
    }

    /// The JSON answer; `deputy` is `null` (not omitted) for a caller who is not a deputy.
    public struct Answer: Encodable, Sendable {
        public var phone: String
        public var deputy: DeputyView?
        public var appeals: [EarlierAppeal]

        public struct DeputyView: Encodable, Sendable {
            public var id: UUID
            public var name: String
            public var level: String
            public var level_name: String
            public var constituency: String?

            init(_ deputy: Deputy) {
                id = deputy.id
                name = deputy.name
                level = deputy.level.rawValue
                level_name = deputy.level.chineseName
                constituency = deputy.constituency
            }

            private enum CodingKeys: String, CodingKey { case id, name, level, level_name, constituency }

            public func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(id.uuidString.lowercased(), forKey: .id)
                try container.encode(name, forKey: .name)
                try container.encode(level, forKey: .level)
                try container.encode(level_name, forKey: .level_name)
                try container.encode(constituency, forKey: .constituency)
            }
        }

        public struct EarlierAppeal: Encodable, Sendable {
            public var case_number: String
            public var title: String
            public var channel: String
            public var received_at: String
            public var status: String
            public var status_name: String
        }

        private enum CodingKeys: String, CodingKey { case phone, deputy, appeals }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(phone, forKey: .phone)
            try container.encode(deputy, forKey: .deputy)
            try container.encode(appeals, forKey: .appeals)
        }
    }
}
