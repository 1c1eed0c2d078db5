import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// Reads appeals for Open311 from the case file (appeals + appeal_status), with the category of the service
/// code and the lead department's name. Never reads citizen_contacts.
public struct Open311RequestStore: Sendable {
    public let database: MinhuDatabase
    public let logger: Logger

    public init(database: MinhuDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// The columns `Open311ServiceRequest(row:)` reads (appeals `a`, appeal_status `s`, categories `c`,
    /// departments `d`): constant SQL, no input in it.
    static let columns = """
        a.case_number, s.status, s.closed, s.closure_reason, s.status_notes, a.service_code, c.level1, c.level2,
        c.level3, s.category, a.body, coalesce(d.name, s.lead_department) AS agency, a.received_at, s.updated_at,
        s.due_at, a.location::text AS location, a.attachments[1] AS media_url
        """
    /// The joins those columns need (constant SQL).
    static let lookups = """
        LEFT JOIN categories c ON c.id::text = a.service_code LEFT JOIN departments d ON d.code = s.lead_department
        """

    /// `GET requests`: newest first.
    public func requests(_ filter: Open311RequestFilter) async throws -> [Open311ServiceRequest] {
        let ids = filter.ids
        let codes = filter.serviceCodes
        let closed = filter.closed
        let logger = logger
        return try await database.withConnection { connection -> [Open311ServiceRequest] in
            let rows = try await connection.guardedQuery("""
                SELECT \(unescaped: Self.columns)
                FROM appeals a
                JOIN appeal_status s ON s.appeal_id = a.id
                \(unescaped: Self.lookups)
                WHERE CASE WHEN \(ids)::text[] IS NOT NULL THEN a.case_number = ANY(\(ids)::text[])
                      ELSE a.received_at >= \(filter.start) AND a.received_at <= \(filter.end)
                           AND (\(codes)::text[] IS NULL OR a.service_code = ANY(\(codes)::text[]))
                           AND (\(closed)::boolean IS NULL
                                OR (s.closed OR s.status IN ('closed', 'rejected')) = \(closed)::boolean)
                      END
                ORDER BY a.received_at DESC, a.case_number DESC
                LIMIT \(filter.pageSize) OFFSET \(filter.offset)
                """, logger: logger)
            var found: [Open311ServiceRequest] = []
            for try await row in rows { found.append(try Open311ServiceRequest(row: row)) }
            return found
        }
    }

    /// `GET servicerequestupdates`: appeals whose status summary changed in the window, oldest change first;
    /// only those that arrived on `channel` when given (an integrator's).
    public func updates(_ filter: Open311RequestFilter, channel: String?) async throws -> [Open311ServiceRequest] {
        let logger = logger
        return try await database.withConnection { connection -> [Open311ServiceRequest] in
            let rows = try await connection.guardedQuery("""
                SELECT \(unescaped: Self.columns)
                FROM appeal_status s
                JOIN appeals a ON a.id = s.appeal_id
                \(unescaped: Self.lookups)
                WHERE s.updated_at >= \(filter.start) AND s.updated_at <= \(filter.end)
                  AND (\(channel)::text IS NULL OR a.arrival_channel = \(channel)::text)
                ORDER BY s.updated_at, a.case_number
                LIMIT \(filter.pageSize) OFFSET \(filter.offset)
                """, logger: logger)
            var found: [Open311ServiceRequest] = []
            for try await row in rows { found.append(try Open311ServiceRequest(row: row)) }
            return found
        }
    }

    /// The appeal whose tracking token is `token`: its case number.
    public func caseNumber(token: String) async throws -> String? {
        let logger = logger
        return try await database.withConnection { connection -> String? in
            let rows = try await connection.guardedQuery("""
                SELECT case_number FROM appeals WHERE tracking_token = \(token)
                """, logger: logger)
            for try await (number) in rows.decode(String.self) { return number }
            return nil
        }
    }
}
