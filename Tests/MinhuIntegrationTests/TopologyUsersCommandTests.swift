import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import Testing

/// `minhu topology users` against the real broker's management API: users created with exactly the grants of
/// `BrokerPermissions`, passwords changed on a second run with stray tags removed, and every refusal leaving the broker
/// unchanged. The users have their real names (minhu-intake …), so the suite runs serially and removes them; its
/// channel (`usertest`) is its own, since other suites create `integrator.wechat`. The test broker is the
/// development broker (scripts/services): running the tests replaces and then deletes these users there.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["MINHU_TEST_AMQP_URL"] != nil, "no test broker"))
struct TopologyUsersCommandTests {
    let logger = Logger(label: "topology-users-test")
    let topology = MinhuTopology.make(departments: ["housing"], channels: ["usertest"])
    static let names = ["minhu-intake", "integrator.usertest", "minhu-ops", "minhu-dispatcher", "minhu-reporting"]

    /// Runs `minhu topology users …` for the vhost of `url`.
    static func minhu(_ arguments: [String], url: AMQPURL) async throws -> (Int32?, String) {
        let management = ProcessInfo.processInfo.environment["MINHU_TEST_AMQP_MANAGEMENT_URL"] ?? ""
        return try await ChildProcess.with(
            "minhu", arguments: ["topology", "users", "--vhost", url.vhost, "--departments", "housing",
                                 "--channels", "usertest"] + arguments,
            environment: ["PATH": "/usr/bin:/bin", "MINHU_AMQP_URL": url.testURL,
                          "MINHU_AMQP_MANAGEMENT_URL": management]
        ) { (await $0.waitForExit(timeout: .seconds(120)), $0.log) }
    }

    /// A folder of password files, removed after `body`; the test broker's users of `names` removed too.
    static func withPasswords<T>(_ passwords: [String: String], _ body: (String) async throws -> T) async throws -> T {
        let folder = NSTemporaryDirectory() + "minhu-users-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let broker = try TestBroker.fromEnvironment()
        func cleanUp() async {
            try? FileManager.default.removeItem(atPath: folder)
            for name in names { _ = try? await broker.management("DELETE", "/api/users/\(name)", body: nil) }
        }
        await cleanUp()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (user, password) in passwords {
            try Data("\(password)\n".utf8).write(to: URL(fileURLWithPath: folder + "/" + user))
        }
        do {
            let result = try await body(folder)
            await cleanUp()
            return result
        } catch {
            await cleanUp()
            throw error
        }
    }

    /// The user's record from the management API, nil when it does not exist.
    static func user(_ name: String) async throws -> [String: Any]? {
        let broker = try TestBroker.fromEnvironment()
        do {
            let data = try await broker.management("GET", "/api/users/\(name)", body: nil)
            return try JSONSerialization.jsonObject(with: data) as? [String: Any]
        } catch let error as TestEnvironmentError where error.description.contains("HTTP 404") {
            return nil
        }
    }

    /// The user's tags (a list in RabbitMQ 3.10, a comma-separated text before).
    static func tags(_ name: String) async throws -> [String] {
        let value = try await user(name)?["tags"]
        if let list = value as? [String] { return list }
        return (value as? String ?? "").split(separator: ",").map(String.init)
    }

    /// True when the broker refuses `url`'s login; false when the connection opens.
    func loginRefused(_ url: AMQPURL) async throws -> Bool {
        let consumer = AMQPConsumer(url: url, queue: "intake.channels", prefetch: 1, logger: logger)
        let deadline = ContinuousClock.now + .seconds(20)
        var refused: Bool?
        while refused == nil, ContinuousClock.now < deadline {
            if consumer.isConnected {
                refused = false
            } else if consumer.lastConnectError != nil {
                refused = true
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        await consumer.shutdown()
        guard let refused else { throw TestEnvironmentError("no answer to a login within 20 s") }
        return refused
    }

    @Test("creates the users with their grants; a second run changes the passwords, removes stray tags")
    func createAndUpdate() async throws {
        try await TestBroker.withVhost { url in
            try await TopologyDeclarer.declare(topology, url: url)
            let first = ["minhu-intake": "intake-password-1", "integrator.usertest": "channel-password-1",
                         "minhu-ops": "operator-password-1"]
            try await Self.withPasswords(first) { folder in
                let (status, output) = try await Self.minhu(
                    ["--users", "minhu-intake,integrator.usertest,minhu-ops", "--ops-impersonator",
                     "--password-dir", folder], url: url)
                #expect(status == 0, "\(output)")
                #expect(output.contains("minhu-intake: created"), "\(output)")
                #expect(!output.contains("password-1"))

                let broker = try TestBroker.fromEnvironment()
                let vhost = url.vhost
                let grant = BrokerPermissions.service("intake", topology: topology)
                let permissions = try JSONSerialization.jsonObject(
                    with: try await broker.management("GET", "/api/permissions/\(vhost)/minhu-intake", body: nil))
                    as? [String: Any]
                #expect(permissions?["configure"] as? String == grant.configure)
                #expect(permissions?["write"] as? String == grant.write)
                #expect(permissions?["read"] as? String == grant.read)
                let topics = try JSONSerialization.jsonObject(
                    with: try await broker.management("GET", "/api/topic-permissions/\(vhost)/minhu-intake",
                                                      body: nil)) as? [[String: Any]] ?? []
                #expect(Set(topics.compactMap { $0["exchange"] as? String }) == Set(grant.topics.map(\.exchange)))

                let checks = BrokerPermissionTests()
                let intake = url.with(user: "minhu-intake", password: "intake-password-1")
                #expect(try await checks.canConsume("intake.channels", as: intake))
                #expect(try await !checks.canConsume("dispatcher.events", as: intake))
                let channel = url.with(user: "integrator.usertest", password: "channel-password-1")
                #expect(try await checks.canPublish(MinhuTopology.intake, "usertest.appeal", as: channel))
                #expect(try await !checks.canPublish(MinhuTopology.intake, "mailbox.appeal", as: channel))

                #expect(try await Self.tags("minhu-ops") == ["impersonator"])
                #expect(try await Self.tags("minhu-intake").isEmpty)
                // Someone gives minhu-intake a tag it must not have; new passwords; a run without --users.
                try await broker.management("PUT", "/api/users/minhu-intake",
                                            body: ["password": "intake-password-1", "tags": "monitoring"])
                for (user, password) in ["minhu-intake": "intake-password-2", "minhu-ops": "operator-password-2"] {
                    try Data("\(password)\n".utf8).write(to: URL(fileURLWithPath: folder + "/" + user))
                }
                let (again, againOutput) = try await Self.minhu(["--password-dir", folder], url: url)
                #expect(again == 0, "\(againOutput)")
                #expect(againOutput.contains("minhu-intake: updated"), "\(againOutput)")
                #expect(againOutput.contains("tags removed: monitoring"), "\(againOutput)")
                #expect(againOutput.contains("minhu-ops: updated") && againOutput.contains("tags: impersonator"))
                #expect(againOutput.contains("skipped (no password file):")
                    && againOutput.contains("minhu-dispatcher") && againOutput.contains("dept-housing"))
                #expect(try await loginRefused(intake))
                #expect(try await checks.canConsume("intake.channels",
                                                    as: url.with(user: "minhu-intake", password: "intake-password-2")))
                #expect(try await Self.tags("minhu-ops") == ["impersonator"])
                #expect(try await Self.tags("minhu-intake").isEmpty)
                #expect(try await Self.user("minhu-dispatcher") == nil)

                // The minhu commands read password files too: minhu-ops lists dead letters with its password in one.
                let ops = url.with(user: "minhu-ops", password: "not-this-one")
                let (listed, listOutput) = try await ChildProcess.with(
                    "minhu", arguments: ["deadletters", "list", "intake.events"],
                    environment: ["PATH": "/usr/bin:/bin", "MINHU_AMQP_URL": ops.testURL,
                                  "MINHU_AMQP_PASSWORD_FILE": folder + "/minhu-ops"]
                ) { (await $0.waitForExit(timeout: .seconds(60)), $0.log) }
                #expect(listed == 0, "\(listOutput)")
                #expect(listOutput.contains("dead.intake.events"), "\(listOutput)")
            }
        }
    }

    @Test("a missing or bad password file, an unknown user, a missing vhost or an administrator change nothing")
    func refusals() async throws {
        try await TestBroker.withVhost { url in
            try await TopologyDeclarer.declare(topology, url: url)
            try await Self.withPasswords(["minhu-intake": "intake-password-1", "minhu-dispatcher": "short",
                                          "minhu-reporting": "reporting-password-1"]) { folder in
                let cases: [([String], AMQPURL, String)] = [
                    (["--users", "minhu-intake,minhu-ops"], url, "no password file for minhu-ops"),
                    (["--users", "minhu-intake,minhu-dispatcher"], url, "shorter than 12"),
                    (["--users", "minhu-intake,minhu-nobody"], url, "'minhu-nobody' is not a Minhu broker user"),
                    (["--users", "minhu-intake"], url.with(vhost: "no-such-vhost"), "does not exist"),
                    (["--users", "minhu-intake", "--ops-impersonator"], url, "no password file for minhu-ops"),
                ]
                for (arguments, target, message) in cases {
                    let (status, output) = try await Self.minhu(arguments + ["--password-dir", folder], url: target)
                    #expect(status == 1, "\(arguments): \(output)")
                    #expect(output.contains(message), "\(arguments): \(output)")
                    #expect(try await Self.user("minhu-intake") == nil, "\(arguments)")
                }
                let broker = try TestBroker.fromEnvironment()
                try await broker.management("PUT", "/api/users/minhu-reporting",
                                            body: ["password": "admin-password-1", "tags": "administrator"])
                try await broker.management("PUT", "/api/permissions/\(url.vhost)/minhu-reporting",
                                            body: ["configure": ".*", "write": ".*", "read": ".*"])
                let (status, output) = try await Self.minhu(
                    ["--users", "minhu-intake,minhu-reporting", "--password-dir", folder], url: url)
                #expect(status == 1, "\(output)")
                #expect(output.contains("'minhu-reporting' is a broker administrator"), "\(output)")
                #expect(try await Self.user("minhu-intake") == nil)
                // Its password and tags are as they were.
                #expect(try await !loginRefused(url.with(user: "minhu-reporting", password: "admin-password-1")))
                #expect(try await Self.tags("minhu-reporting") == ["administrator"])
            }
        }
    }
}
