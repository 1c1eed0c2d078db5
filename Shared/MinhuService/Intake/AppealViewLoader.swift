import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// What `GET /v1/appeals/{case_number}` shows: the citizen's view (tracking token; masked) and the staff view
/// (by role: full contact only for the roles that must reach the citizen).
public struct AppealViewLoader: Sendable {
    /// The roles that may read an appeal with a key; integrators only their channel's, departments only theirs.
    public static let staffRoles: Set<Role> = [.agent, .dispatcher, .hotlineCentre, .supervisor, .observer, .expert,
                                               .assessor, .integrator, .department]
    /// The roles that see the citizen's full contact (DESIGN §4).
    public static let contactRoles: Set<Role> = [.agent, .dispatcher, .hotlineCentre]

    public struct View: Codable, Sendable, Equatable {
        public var caseNumber: String
        public var status: String
        public var statusName: String
        public var title: String
        public var channel: String
        public var receivedAt: Date
        public var category: String?
        public var leadDepartment: String?
        public var leadDepartmentName: String?
        public var dueAt: Date?
        public var round: Int
        public var closed: Bool
        public var statusNotes: String?
        public var updatedAt: Date
        public var citizen: MaskedCitizen
        // Staff view only.
        public var appealId: UUID?
        public var arrivalChannel: String?
        public var externalId: String?
        public var kind: String?
        public var body: String?
        public var location: Location?
        public var attachments: [String]?
        public var fromDeputy: Bool?
        public var deputyLevel: String?
        public var coDepartments: [String]?
        /// Full contact, for the contact roles only.
        public var contact: Citizen?
    }

    public enum StaffOutcome: Sendable {
        case found(View)
        case notFound
        case forbidden(String)
    }

    public let database: MinhuDatabase
    public let logger: Logger

    public init(database: MinhuDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    public func citizenView(caseNumber: String, token: String) async throws -> View? {
        guard let (view, _) = try await load(caseNumber: caseNumber, token: token, withContact: false) else {
            return nil
        }
        return view
    }

    public func staffView(caseNumber: String, principal: Principal) async throws -> StaffOutcome {
        guard Self.staffRoles.contains(principal.role) else {
            return .forbidden("role '\(principal.role.rawValue)' may not read appeals")
        }
        let withContact = Self.contactRoles.contains(principal.role)
        guard let (_, staff) = try await load(caseNumber: caseNumber, token: nil, withContact: withContact) else {
            return .notFound
        }
        if principal.role == .integrator, !principal.mayActForChannel(staff.arrivalChannel ?? "") {
            return .notFound
        }
        if principal.role == .department {
            let departments = [staff.leadDepartment].compactMap { $0 } + (staff.coDepartments ?? [])
            guard departments.contains(where: { principal.mayActForDepartment($0) }) else { return .notFound }
        }
        return .found(staff)
    }

    /// (citizen view, staff view) of a case; with `token`, only when it matches.
    private func load(caseNumber: String, token: String?, withContact: Bool) async throws -> (View, View)? {
        try await database.withConnection { connection in
            let rows = try await connection.guardedQuery("""
                SELECT a.id, a.case_number, a.title, a.channel, a.arrival_channel, a.external_id, a.kind, a.body,
                       a.received_at, a.location::text, a.attachments, a.citizen_masked::text, a.from_deputy,
                       a.deputy_level, a.tracking_token, s.status, s.category, s.lead_department, d.name, s.due_at,
                       s.round, s.closed, s.status_notes, s.updated_at, s.co_departments
                FROM appeals a JOIN appeal_status s ON s.appeal_id = a.id
                LEFT JOIN departments d ON d.code = s.lead_department
                WHERE a.case_number = \(caseNumber)
                """, logger: logger)
            for try await row in rows {
                let (id, number, title, channel, arrival, externalId, kind, body, received, locationJSON,
                     attachments, maskedJSON, fromDeputy, deputyLevel, storedToken, status, category, lead,
                     leadName, due, round, closed, notes, updated, co)
                    = try row.decode((UUID, String, String, String, String, String?, String?, String, Date, String?,
                                      [String], String, Bool, String?, String, String, String?, String?, String?,
                                      Date?, Int, Bool, String?, Date, [String]).self)
                if let token, !Self.constantTimeEquals(token, storedToken) { return nil }
                let masked = try MinhuJSON.decode(MaskedCitizen.self, from: Data(maskedJSON.utf8))
                let appealStatus = AppealStatus(rawValue: status)
                let citizenView = View(caseNumber: number, status: status,
                                       statusName: appealStatus?.chineseName ?? status, title: title,
                                       channel: channel, receivedAt: received, category: category,
                                       leadDepartment: lead, leadDepartmentName: leadName, dueAt: due, round: round,
                                       closed: closed, statusNotes: notes, updatedAt: updated, citizen: masked)
                var staff = citizenView
                staff.appealId = id
                staff.arrivalChannel = arrival
                staff.externalId = externalId
                staff.kind = kind
                staff.body = body
                staff.location = try locationJSON.map { try MinhuJSON.decode(Location.self, from: Data($0.utf8)) }
                staff.attachments = attachments
                staff.fromDeputy = fromDeputy
                staff.deputyLevel = deputyLevel
                staff.coDepartments = co
                if withContact {
                    staff.contact = try await contact(of: id, on: connection)
                }
                return (citizenView, staff)
            }
            return nil
        }
    }

    private func contact(of appealId: UUID, on connection: PostgresConnection) async throws -> Citizen? {
        let rows = try await connection.guardedQuery("""
            SELECT name, phone, preferred_channel, anonymous FROM citizen_contacts WHERE appeal_id = \(appealId)
            """, logger: logger)
        for try await (name, phone, preferred, anonymous) in rows.decode((String?, String, String?, Bool).self) {
            return Citizen(name: name, phone: phone, preferredChannel: preferred.flatMap(MinhuModels.Channel.init(rawValue:)),
                           anonymous: anonymous)
        }
        return nil
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
