import Foundation
import Logging
import PostgresNIO

/// A deployment's login user for one service (`intake_app` in role `minhu_intake`), created or given a new
/// password by `minhu roles login`, run as the migration role (CREATEROLE).
///
/// The password travels as its SCRAM-SHA-256 verifier (`ScramVerifier`), never in clear. The statements are
/// formatted by the server (`format('%I', …)`, `format('%L', …)`) from bound parameters, since PostgreSQL takes no
/// parameters in `CREATE ROLE`. A role that could do more than a service's work is refused and left unchanged: a
/// superuser or one with CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS; one that owns objects (the migration role)
/// or holds privileges of its own, in any database; one that is a member of another role, or may grant the service
/// role; one that has members; the service roles themselves. A password change also lifts an expiry.
public enum LoginRole {
    /// What `apply` did.
    public enum Outcome: String, Sendable, Equatable {
        case created
        case updated
    }

    /// Why nothing was changed.
    public struct Refusal: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// A PostgreSQL name a login user may take: lower-case letters, digits and `_`, 1–63 characters, not starting
    /// with a digit, and not named like Minhu's NOLOGIN roles (`minhu_…`) or PostgreSQL's (`pg_…`).
    public static func refusal(ofName name: String) -> Refusal? {
        let allowed = name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
        guard (1...63).contains(name.utf8.count), allowed, let first = name.utf8.first, !(0x30...0x39).contains(first)
        else {
            return Refusal("'\(name)' is not a login name here (a-z, 0-9 and _, 1-63 characters, not starting with "
                           + "a digit)")
        }
        if name.hasPrefix("pg_") { return Refusal("'\(name)': names starting with pg_ are PostgreSQL's own") }
        // Every minhu_ name, not only today's roles: row security counts the roles named minhu_% that a session
        // holds (0015), so a login named minhu_archive would pass as a service "archive"; and a later migration
        // creating minhu_archive "if missing" would adopt the login, password included.
        if name.hasPrefix("minhu_") {
            return Refusal("'\(name)': names starting with minhu_ are Minhu's service roles (NOLOGIN); name a login "
                           + "user of your own, e.g. \(name.dropFirst("minhu_".count))_app")
        }
        return nil
    }

    /// Creates login role `name` in `service`'s role with the password whose verifier is `verifier`, or sets that
    /// password on the existing role, in one transaction on `connection`.
    /// - Throws: `Refusal` (nothing changed) or the server's error.
    public static func apply(name: String, service: ServiceRole, verifier: String, on connection: PostgresConnection,
                             logger: Logger) async throws -> Outcome {
        if let refusal = refusal(ofName: name) { throw refusal }
        guard ScramVerifier.parameters(of: verifier) != nil else {
            throw Refusal("the password must be given as a SCRAM-SHA-256 verifier")
        }
        return try await MinhuDatabase.withTransaction(on: connection, logger: logger) { connection in
            let exists = try await check(name: name, service: service, on: connection, logger: logger)
            let statement: PostgresQuery = exists
                ? """
                  SELECT format('ALTER ROLE %I WITH LOGIN INHERIT PASSWORD %L VALID UNTIL %L', \(name), \(verifier), \
                  'infinity')
                  """
                : "SELECT format('CREATE ROLE %I WITH LOGIN INHERIT PASSWORD %L', \(name), \(verifier))"
            try await executeFormatted(statement, on: connection, logger: logger)
            let member: PostgresQuery =
                "SELECT pg_catalog.pg_has_role(\(name)::name, \(service.roleName)::name, 'MEMBER')"
            if try await !single(Bool.self, member, on: connection, logger: logger) {
                try await executeFormatted("SELECT format('GRANT %I TO %I', \(service.roleName), \(name))",
                                           on: connection, logger: logger)
            }
            return exists ? .updated : .created
        }
    }

    /// Whether role `name` exists; throws `Refusal` when it may not become `service`'s login.
    private static func check(name: String, service: ServiceRole, on connection: PostgresConnection,
                              logger: Logger) async throws -> Bool {
        if try await single(Bool.self, "SELECT current_user = \(name)::name", on: connection, logger: logger) {
            throw Refusal("'\(name)' is the role running this command; run it as the migration role for another user")
        }
        // pg_shdepend is cluster-wide: it records what a role owns and what was granted to it directly, in every
        // database (tables, schemas, functions, databases, policies, default privileges). Members: on PostgreSQL 16
        // a role's creator (the migration role running this, when not a superuser) is one, with ADMIN; not counted.
        let rows = try await connection.guardedQuery("""
            SELECT array_remove(ARRAY[CASE WHEN r.rolsuper THEN 'SUPERUSER' END,
                                      CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END,
                                      CASE WHEN r.rolcreatedb THEN 'CREATEDB' END,
                                      CASE WHEN r.rolreplication THEN 'REPLICATION' END,
                                      CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END], NULL),
                   EXISTS (SELECT 1 FROM pg_catalog.pg_shdepend d
                           WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid),
                   ARRAY(SELECT g.rolname::text FROM pg_catalog.pg_auth_members m
                         JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                         WHERE m.member = r.oid AND (g.rolname <> \(service.roleName) OR m.admin_option)
                         ORDER BY g.rolname),
                   ARRAY(SELECT u.rolname::text FROM pg_catalog.pg_auth_members m
                         JOIN pg_catalog.pg_roles u ON u.oid = m.member
                         WHERE m.roleid = r.oid AND u.rolname <> current_user ORDER BY u.rolname)
            FROM pg_catalog.pg_roles r WHERE r.rolname = \(name)
            """, logger: logger)
        for try await (powers, ownsOrHolds, others, members)
            in rows.decode(([String], Bool, [String], [String]).self) {
            if !powers.isEmpty {
                throw Refusal("role '\(name)' has \(powers.joined(separator: ", ")); a service's login must not, "
                              + "so it was not changed")
            }
            if ownsOrHolds {
                throw Refusal("role '\(name)' owns objects or holds privileges of its own (the migration role?); "
                              + "a service's login holds only its role, so it was not changed")
            }
            if !others.isEmpty {
                throw Refusal("role '\(name)' is a member of \(others.joined(separator: ", ")) (or may grant "
                              + "\(service.roleName) to others); one login serves one service, so it was not changed")
            }
            if !members.isEmpty {
                throw Refusal("role '\(name)' has members (\(members.joined(separator: ", "))), who would all get "
                              + "\(service.roleName); it was not changed")
            }
            return true
        }
        return false
    }

    /// Runs the statement that `formatting` (a `SELECT format(…)`) returns.
    private static func executeFormatted(_ formatting: PostgresQuery, on connection: PostgresConnection,
                                         logger: Logger) async throws {
        let text = try await single(String.self, formatting, on: connection, logger: logger)
        try await connection.guardedQuery(PostgresQuery(unsafeSQL: text), logger: logger)
    }

    private static func single<T: PostgresDecodable & Sendable>(_ type: T.Type, _ query: PostgresQuery,
                                                     on connection: PostgresConnection,
                                                     logger: Logger) async throws -> T {
        for try await value in try await connection.guardedQuery(query, logger: logger).decode(T.self) {
            return value
        }
        throw Refusal("the server returned no row")
    }
}
