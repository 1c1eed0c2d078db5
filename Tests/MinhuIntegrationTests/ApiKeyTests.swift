import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import MinhuService
import MinhuStorage
import PostgresNIO
import ServiceLifecycle
import Testing

@Suite("ApiKey unit")
struct ApiKeyUnitTests {
    @Test("generated keys are mh_ + 64 hex digits, distinct, hashed with SHA-256")
    func generation() {
        let a = ApiKeyGenerator.generate(), b = ApiKeyGenerator.generate()
        #expect(a != b)
        #expect(a.hasPrefix("mh_") && a.count == 67)
        #expect(a.dropFirst(3).allSatisfy { "0123456789abcdef".contains($0) })
        #expect(ApiKeyGenerator.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ApiKeyGenerator.listedPrefix(a).count == 8)
    }

    @Test("only the generated shape is a well-formed key")
    func wellFormed() {
        #expect(ApiKeyGenerator.isWellFormed(ApiKeyGenerator.generate()))
        let key = ApiKeyGenerator.generate()
        let cut = String(key.dropLast())
        for bad in ["", "mh_", "mh_nonsense", key.uppercased(), cut, key + "0", "xx" + key.dropFirst(2), cut + "g",
                    cut + "é", "Bearer " + key] {
            #expect(!ApiKeyGenerator.isWellFormed(bad), "\(bad)")
        }
    }

    @Test("role and field combinations; channel and department scopes")
    func combinations() throws {
        #expect(throws: ApiKeyAdmin.Refusal.self) { try ApiKeyAdmin.validate(role: .integrator, channel: nil, department: nil) }
        #expect(throws: ApiKeyAdmin.Refusal.self) { try ApiKeyAdmin.validate(role: .department, channel: nil, department: nil) }
        #expect(throws: ApiKeyAdmin.Refusal.self) { try ApiKeyAdmin.validate(role: .agent, channel: "wechat", department: nil) }
        // Codes no appeal can carry would make keys refused everywhere.
        #expect(throws: ApiKeyAdmin.Refusal.self) { try ApiKeyAdmin.validate(role: .integrator, channel: "WeChat", department: nil) }
        #expect(throws: ApiKeyAdmin.Refusal.self) { try ApiKeyAdmin.validate(role: .department, channel: nil, department: "住建局") }
        try ApiKeyAdmin.validate(role: .integrator, channel: "wechat", department: nil)
        try ApiKeyAdmin.validate(role: .department, channel: nil, department: "housing")
        #expect(throws: ApiKeyAdmin.Refusal.self) { try ApiKeyAdmin.validate(role: .integrator, channel: "wechat", department: "water") }
        try ApiKeyAdmin.validate(role: .integrator, channel: "wechat", department: nil)
        try ApiKeyAdmin.validate(role: .department, channel: nil, department: "water")
        try ApiKeyAdmin.validate(role: .hotlineCentre, channel: nil, department: nil)
        let integrator = Principal(keyId: UUID(), name: "wx", role: .integrator, channel: "wechat")
        #expect(integrator.mayActForChannel("wechat") && !integrator.mayActForChannel("app"))
        let department = Principal(keyId: UUID(), name: "d", role: .department, department: "water")
        #expect(department.mayActForDepartment("water") && !department.mayActForDepartment("power"))
        #expect(Role(rawValue: "hotline-centre") == .hotlineCentre && Role.hotlineCentre.chineseName == "热线中心")
    }
}

@Suite("ApiKey store and middleware", .enabled(if: TestDatabase.isConfigured))
struct ApiKeyTests {
    let logger = TestDatabase.logger

    @Test("minhu keys create whose key cannot be written out (a full disk) revokes the key and exits 1")
    func createWithUnwritableOutput() async throws {
        try await TestDatabase.withConfiguration { configuration in
            let minhu = PrivateServers.binDirectory.appendingPathComponent("minhu").path
            let (status, output) = try await ChildProcess.with(
                "/bin/sh", arguments: ["-c", "exec \"$@\" >/dev/full", "sh", minhu, "keys", "create",
                                       "--name", "full-disk", "--role", "agent"],
                environment: ["PATH": "/usr/bin:/bin", "MINHU_DATABASE_URL": configuration.testURL]) {
                (await $0.waitForExit(timeout: .seconds(120)), $0.log)
            }
            #expect(status == 1 && output.contains("was revoked, nobody has it"), "\(output)")
            try await TestDatabase.withRunningDatabase(configuration) { database in
                let live = try await StorageFixtures.integer(
                    "SELECT count(*) FROM api_keys WHERE name = 'full-disk' AND revoked_at IS NULL", on: database)
                let all = try await StorageFixtures.integer(
                    "SELECT count(*) FROM api_keys WHERE name = 'full-disk'", on: database)
                #expect(all == 1 && live == 0)
            }
        }
    }

    @Test("a created key is stored only hashed, found by lookup, and refused once revoked")
    func storeAndRevoke() async throws {
        try await TestDatabase.withDatabase { database in
            let logger = TestDatabase.logger
            let created = try await ApiKeyAdmin.create(name: "wx adapter", role: .integrator, channel: "wechat",
                                                       database: database, logger: logger)
            let key = created.key
            // No column holds the key in clear.
            let clear = try await database.withConnection { connection -> Int in
                let rows = try await connection.guardedQuery("""
                    SELECT count(*)::int FROM api_keys WHERE key_hash = \(key) OR key_prefix = \(key)
                        OR name = \(key) OR row_to_json(api_keys)::text LIKE '%' || \(key) || '%'
                    """, logger: logger)
                for try await (count) in rows.decode(Int.self) { return count }
                return -1
            }
            #expect(clear == 0)
            let stored = try await database.withConnection { connection -> (String, String) in
                let rows = try await connection.guardedQuery("SELECT key_hash, key_prefix FROM api_keys", logger: logger)
                for try await (hash, prefix) in rows.decode((String, String).self) { return (hash, prefix) }
                return ("", "")
            }
            #expect(stored.0 == ApiKeyGenerator.hash(key) && stored.1 == String(key.prefix(8)))

            let store = ApiKeyStore(database: database, ttl: .seconds(30), logger: logger)
            let found = try await store.principal(forKey: key)
            #expect(found == created.principal)
            #expect(found?.channel == "wechat" && found?.role == .integrator)
            #expect(try await store.principal(forKey: key + "x") == nil)

            let listed = try await ApiKeyAdmin.list(database: database, logger: logger)
            #expect(listed.count == 1 && listed.first?.revokedAt == nil)
            let revoked = try await ApiKeyAdmin.revoke(stored.1, database: database, logger: logger)
            #expect(revoked == created.principal.keyId)
            // The cache keeps it for its TTL; a fresh lookup (or one after the TTL) refuses it.
            #expect(try await store.principal(forKey: key) != nil)
            let fresh = ApiKeyStore(database: database, ttl: .zero, logger: logger)
            #expect(try await fresh.principal(forKey: key) == nil)
            await store.clearCache()
            #expect(try await store.principal(forKey: key) == nil)
            await #expect(throws: ApiKeyAdmin.Refusal.self) {
                try await ApiKeyAdmin.revoke(stored.1, database: database, logger: logger)
            }
            #expect(try await ApiKeyAdmin.list(database: database, logger: logger).first?.revokedAt != nil)

            // A department key only for a department the table knows; a misspelt code makes no key.
            let water = try await ApiKeyAdmin.create(name: "water desk", role: .department, department: "water",
                                                     database: database, logger: logger)
            #expect(water.principal.department == "water")
            await #expect(throws: ApiKeyAdmin.Refusal.self) {
                try await ApiKeyAdmin.create(name: "typo", role: .department, department: "watr", database: database,
                                             logger: logger)
            }
            #expect(try await ApiKeyAdmin.list(database: database, logger: logger).count == 2)
        }
    }

    @Test("an error no route answered is a logged 503 problem; the log names the route, never the path's phone")
    func unexpectedErrors() async throws {
        struct DatabaseGone: Error {}
        let (logger, recorder) = RecordingLogHandler.logger()
        let router = Router()
        router.add(middleware: UnexpectedErrorMiddleware(logger: logger))
        router.get("/v1/callers/:phone") { _, _ -> String in throw DatabaseGone() }
        router.post("/v1/echo") { request, _ -> String in
            String(buffer: try await request.collectBody(upTo: 16))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            func send(_ method: String, _ path: String, body: String? = nil) async throws -> (Int, String, String) {
                var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
                request.httpMethod = method
                request.httpBody = body.map { Data($0.utf8) }
                let (data, response) = try await URLSession.shared.data(for: request)
                let http = response as? HTTPURLResponse
                return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Retry-After") ?? "",
                        String(decoding: data, as: UTF8.self))
            }
            let failed = try await send("GET", "/v1/callers/13800138000")
            #expect(failed.0 == 503 && failed.1 == "5" && failed.2.contains("\"status\":503"), "\(failed)")
            let logged = recorder.lines.withLock { $0 }.filter { $0.contains("request failed") }
            #expect(logged.count == 1 && logged.allSatisfy { $0.contains("/v1/callers/{phone}") }, "\(logged)")
            #expect(!recorder.lines.withLock { $0 }.contains { $0.contains("13800138000") })
            // Not found stays a 404; a body over the route's limit is a 413 problem naming it.
            #expect(try await send("GET", "/nowhere").0 == 404)
            let large = try await send("POST", "/v1/echo", body: String(repeating: "x", count: 100))
            #expect(large.0 == 413 && large.2.contains("limited to 16 bytes"), "\(large)")
            #expect(try await send("POST", "/v1/echo", body: "small").2 == "small")
            await group.triggerGracefulShutdown()
        }
    }

    @Test("the middleware answers 401 without or with a bad key, 403 for a wrong role, 200 for the right one")
    func middleware() async throws {
        try await TestDatabase.withDatabase { database in
            let logger = TestDatabase.logger
            let centre = try await ApiKeyAdmin.create(name: "centre lead", role: .hotlineCentre,
                                                      database: database, logger: logger)
            let agent = try await ApiKeyAdmin.create(name: "agent 7", role: .agent, database: database, logger: logger)
            let revoked = try await ApiKeyAdmin.create(name: "old", role: .hotlineCentre, database: database,
                                                       logger: logger)
            try await ApiKeyAdmin.revoke(revoked.principal.keyId.uuidString, database: database, logger: logger)

            let store = ApiKeyStore(database: database, logger: logger)
            let router = Router()
            router.get("/open") { _, _ in "open" }
            router.group().add(middleware: AuthMiddleware(store: store, logger: logger))
                .get("/v1/secret") { _, _ -> String in
                    let principal = try requireRole([.hotlineCentre])
                    return "hello \(principal.name)"
                }
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let app = Application(router: router,
                                  configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                                  logger: logger)
            let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                let port = await iterator.next() ?? 0
                #expect(port != 0)

                func get(_ path: String, _ headers: [String: String] = [:]) async throws -> (Int, String, String) {
                    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
                    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
                    let (data, response) = try await URLSession.shared.data(for: request)
                    let http = response as? HTTPURLResponse
                    return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Content-Type") ?? "",
                            String(decoding: data, as: UTF8.self))
                }

                #expect(try await get("/open").0 == 200)
                let none = try await get("/v1/secret")
                #expect(none.0 == 401 && none.1.hasPrefix("application/problem+json"))
                #expect(none.2.contains("\"status\":401") && none.2.contains("\"title\"") && none.2.contains("\"type\""))
                // Junk is refused before any lookup, and said so; a well-formed key nobody has is looked up.
                let junk = try await get("/v1/secret", ["Authorization": "Bearer mh_nonsense"])
                #expect(junk.0 == 401 && junk.2.contains("malformed"))
                let upper = try await get("/v1/secret", ["X-Api-Key": centre.key.uppercased()])
                #expect(upper.0 == 401 && upper.2.contains("malformed"))
                let unknown = try await get("/v1/secret", ["X-Api-Key": ApiKeyGenerator.generate()])
                #expect(unknown.0 == 401 && unknown.2.contains("unknown or revoked"))
                #expect(try await get("/v1/secret", ["Authorization": "Bearer " + revoked.key]).0 == 401)
                let forbidden = try await get("/v1/secret", ["Authorization": "Bearer " + agent.key])
                #expect(forbidden.0 == 403 && forbidden.1.hasPrefix("application/problem+json"))
                #expect(forbidden.2.contains("\"status\":403"))
                let ok = try await get("/v1/secret", ["Authorization": "Bearer " + centre.key])
                #expect(ok.0 == 200 && ok.2 == "hello centre lead")
                let viaHeader = try await get("/v1/secret", ["X-Api-Key": centre.key])
                #expect(viaHeader.0 == 200)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}
