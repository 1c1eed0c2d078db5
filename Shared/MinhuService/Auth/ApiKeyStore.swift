import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// Looks API keys up in `api_keys` (migration 0005) by the SHA-256 of the key, ignoring revoked keys.
///
/// Found principals are cached in process for `ttl` (30 s by default) so every request does not cost a query:
/// a revoked key keeps working for at most that long in each running service. Unknown keys are not cached (a new
/// key works at once). Keys never leave this type except as hashes; logs carry the key id and listed prefix only.
public actor ApiKeyStore {
    public static let defaultTTL: Duration = .seconds(30)

    private let database: MinhuDatabase
    private let ttl: Duration
    private let logger: Logger
    private var cache: [String: (principal: Principal, expires: ContinuousClock.Instant)] = [:]

    public init(database: MinhuDatabase, ttl: Duration = ApiKeyStore.defaultTTL, logger: Logger) {
        self.database = database
        self.ttl = ttl
        self.logger = logger
    }

    /// The principal of `key`, or nil when no unrevoked key has that hash.
    public func principal(forKey key: String) async throws -> Principal? {
        // Not a key's shape: nobody has it, and no query is spent on it (routes that read `api_key` themselves).
        guard ApiKeyGenerator.isWellFormed(key) else { return nil }
        let hash = ApiKeyGenerator.hash(key)
        let now = ContinuousClock.now
        if let entry = cache[hash], entry.expires > now { return entry.principal }
        cache[hash] = nil
        let found = try await Self.lookup(hash: hash, database: database, logger: logger)
        if let found {
            if cache.count > 10_000 { cache.removeAll() }
            cache[hash] = (found, now + ttl)
        }
        return found
    }

    /// Forgets cached principals (tests; a service never needs it).
    public func clearCache() { cache.removeAll() }

    static func lookup(hash: String, database: MinhuDatabase, logger: Logger) async throws -> Principal? {
        try await database.withConnection { connection -> Principal? in
            let rows = try await connection.guardedQuery("""
                SELECT id, name, role, channel, department FROM api_keys
                WHERE key_hash = \(hash) AND revoked_at IS NULL
                """, logger: logger)
            for try await (id, name, role, channel, department) in rows.decode(
                (UUID, String, String, String?, String?).self) {
                guard let role = Role(rawValue: role) else { return nil }
                return Principal(keyId: id, name: name, role: role, channel: channel, department: department)
            }
            return nil
        }
    }
}

/// The operator's side of API keys (the `minhu keys` commands and tests): create, revoke, list. These write
/// `api_keys`, which only the migration role may do.
public enum ApiKeyAdmin {
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public struct Listed: Sendable {
        public var id: UUID
        public var prefix: String
        public var name: String
        public var role: String
        public var channel: String?
        public var department: String?
        public var createdAt: Date
        public var revokedAt: Date?
    }

    /// Checks the role/channel/department combination: an integrator needs a channel, a department a department
    /// code, and no other role takes either.
    public static func validate(role: Role, channel: String?, department: String?) throws {
        if let channel, channel.isEmpty { throw Refusal("--channel must not be empty") }
        if let department, department.isEmpty { throw Refusal("--dept must not be empty") }
        // A code no appeal can carry would make a key that is refused everywhere (or, over Open311, silently
        // submits as `open311`): refused here, with the rule.
        if let channel, MinhuModels.Channel(rawValue: channel) == nil {
            throw Refusal("--channel '\(channel)' is not a channel code (lower-case letters, digits and '-')")
        }
        if let department, !Department.isValidCode(department) {
            throw Refusal("--dept '\(department)' is not a department code (lower-case letters, digits and '-')")
        }
        switch role {
        case .integrator:
            guard channel != nil else { throw Refusal("role integrator needs --channel C (the channel it submits for)") }
            guard department == nil else { throw Refusal("role integrator takes --channel, not --dept") }
        case .department:
            guard department != nil else { throw Refusal("role department needs --dept D (the department code)") }
            guard channel == nil else { throw Refusal("role department takes --dept, not --channel") }
        default:
            guard channel == nil else { throw Refusal("--channel is only for role integrator, not \(role.rawValue)") }
            guard department == nil else { throw Refusal("--dept is only for role department, not \(role.rawValue)") }
        }
    }

    /// Creates a key; returns its principal and the key itself, which is stored only as a hash and must be shown
    /// to the operator once.
    public static func create(name: String, role: Role, channel: String? = nil, department: String? = nil,
                              database: MinhuDatabase, logger: Logger) async throws -> (principal: Principal, key: String) {
        guard !name.isEmpty else { throw Refusal("--name must not be empty") }
        try validate(role: role, channel: channel, department: department)
        let key = ApiKeyGenerator.generate()
        let id = UUID()
        let hash = ApiKeyGenerator.hash(key)
        let prefix = ApiKeyGenerator.listedPrefix(key)
        let roleName = role.rawValue
        // A department key only for a department the table knows: one statement, so a code is checked and used at
        // once.
        let inserted = try await database.withConnection { connection in
            let rows = try await connection.guardedQuery("""
                INSERT INTO api_keys (id, name, role, channel, department, key_hash, key_prefix)
                SELECT \(id), \(name), \(roleName), \(channel), \(department), \(hash), \(prefix)
                WHERE \(department)::text IS NULL OR EXISTS (SELECT 1 FROM departments WHERE code = \(department))
                RETURNING id
                """, logger: logger)
            let count = try await rows.collect().count
            return count
        }
        guard inserted == 1 else {
            throw Refusal("--dept '\(department ?? "")' is not in the departments table (see minhu migrate's "
                          + "reference data, or the jurisdiction's import); no key was made")
        }
        logger.info("API key created", metadata: ["key.id": "\(id)", "key.prefix": "\(prefix)", "key.role": "\(roleName)"])
        return (Principal(keyId: id, name: name, role: role, channel: channel, department: department), key)
    }

    /// Revokes the key whose id is `idOrPrefix`, or the one key whose listed prefix (or id) starts with it.
    /// Returns the revoked key's id; refuses an ambiguous or unknown prefix, or a key already revoked.
    @discardableResult
    public static func revoke(_ idOrPrefix: String, database: MinhuDatabase, logger: Logger) async throws -> UUID {
        let needle = idOrPrefix.trimmingCharacters(in: .whitespaces)
        guard needle.count >= 4 else { throw Refusal("give the key's id or at least 4 characters of its prefix") }
        let keys = try await list(database: database, logger: logger)
        let matches = keys.filter { key in
            key.id.uuidString.lowercased() == needle.lowercased() || key.prefix.hasPrefix(needle)
                || key.id.uuidString.lowercased().hasPrefix(needle.lowercased())
        }
        guard let match = matches.first else { throw Refusal("no API key has id or prefix '\(needle)'") }
        guard matches.count == 1 else {
            throw Refusal("'\(needle)' matches \(matches.count) keys; give the id (see `minhu keys list`)")
        }
        guard match.revokedAt == nil else { throw Refusal("key \(match.id.uuidString.lowercased()) (\(match.prefix)…) is already revoked") }
        let id = match.id
        let changed = try await database.withConnection { connection in
            let rows = try await connection.guardedQuery(
                "UPDATE api_keys SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL RETURNING id",
                logger: logger)
            let count = try await rows.collect().count
            return count
        }
        // Revoked meanwhile by someone else (the check above and this statement are not one transaction).
        guard changed == 1 else {
            throw Refusal("key \(id.uuidString.lowercased()) (\(match.prefix)…) is already revoked")
        }
        logger.info("API key revoked", metadata: ["key.id": "\(id)", "key.prefix": "\(match.prefix)"])
        return id
    }

    /// Every key, oldest first, without the key or its hash.
    public static func list(database: MinhuDatabase, logger: Logger) async throws -> [Listed] {
        try await database.withConnection { connection -> [Listed] in
            let rows = try await connection.guardedQuery("""
                SELECT id, key_prefix, name, role, channel, department, created_at, revoked_at
                FROM api_keys ORDER BY created_at, id
                """, logger: logger)
            var listed: [Listed] = []
            for try await (id, prefix, name, role, channel, department, created, revoked) in rows.decode(
                (UUID, String, String, String, String?, String?, Date, Date?).self) {
                listed.append(Listed(id: id, prefix: prefix, name: name, role: role, channel: channel,
                                     department: department, createdAt: created, revokedAt: revoked))
            }
            return listed
        }
    }
}
