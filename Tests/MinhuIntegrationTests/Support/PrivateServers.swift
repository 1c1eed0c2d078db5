import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import MinhuMessaging
import MinhuStorage

/// Private RabbitMQ and PostgreSQL instances for the `Fault…` suites, which stop, kill and freeze them. Started
/// through `scripts/rabbitmq-instance` and `scripts/postgres-instance` (found through `MINHU_SCRIPTS_DIR`) in a
/// folder of this user's own (`PrivateServers.faultDirectory()`), on ports of their own; destroyed at the end.
final class PrivateBroker: Sendable {
    let directory: String
    let port: Int
    let url: AMQPURL

    /// Starts a private broker on `port` (its other ports derive from it; see scripts/rabbitmq-instance).
    private init(port: Int, parent: String) {
        self.port = port
        directory = parent + "/rabbitmq-\(port)"
        url = AMQPURL(host: "127.0.0.1", port: port, user: "minhu-admin", password: "minhu-dev", vhost: "minhu")
    }

    /// Starts a fresh private broker on `port`.
    static func start(port: Int) async throws -> PrivateBroker {
        let broker = PrivateBroker(port: port, parent: try PrivateServers.faultDirectory())
        try await PrivateServers.script("rabbitmq-instance", "destroy", broker.directory)
        try await broker.start()
        return broker
    }

    func stop() async throws { try await PrivateServers.script("rabbitmq-instance", "stop", directory) }
    func start() async throws { try await PrivateServers.script("rabbitmq-instance", "start", directory, String(port)) }
    func freeze() async throws { try await PrivateServers.script("rabbitmq-instance", "freeze", directory) }
    func thaw() async throws { try await PrivateServers.script("rabbitmq-instance", "thaw", directory) }
    func destroy() async { try? await PrivateServers.script("rabbitmq-instance", "destroy", directory) }
    /// Sets the memory high watermark (a fraction of RAM): a tiny one raises the memory alarm, under which the
    /// broker stops reading from publishing connections.
    func setMemoryWatermark(_ fraction: String) async throws {
        try await PrivateServers.script("rabbitmq-instance", "ctl", directory, "set_vm_memory_high_watermark", fraction)
    }

    /// The states of the broker's client connections (`running`, `blocking`, `blocked` …), from its management API
    /// (port + 10000, the instance's administrator).
    func connectionStates() async throws -> [String] {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port + 10_000)/api/connections")!)
        request.setValue("Basic " + Data("\(url.user):\(url.password)".utf8).base64EncodedString(),
                         forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        let connections = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        return connections.compactMap { $0["state"] as? String }
    }
}

/// A private PostgreSQL server (superuser `postgres` trusted on loopback, other roles by password).
final class PrivatePostgres: Sendable {
    let directory: String
    let port: Int

    private init(port: Int, parent: String) {
        self.port = port
        directory = parent + "/postgres-\(port)"
    }

    /// Starts a fresh private server on `port`.
    static func start(port: Int) async throws -> PrivatePostgres {
        let server = PrivatePostgres(port: port, parent: try PrivateServers.faultDirectory())
        try await PrivateServers.script("postgres-instance", "destroy", server.directory)
        try await server.start()
        return server
    }

    var serverURL: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    func start() async throws { try await PrivateServers.script("postgres-instance", "start", directory, String(port)) }
    /// An immediate-mode stop: a crash as far as clients and recovery are concerned.
    func crash() async throws { try await PrivateServers.script("postgres-instance", "kill", directory) }
    func destroy() async { try? await PrivateServers.script("postgres-instance", "destroy", directory) }
}

enum PrivateServers {
    static var scriptsDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["MINHU_SCRIPTS_DIR"], !dir.isEmpty { return dir }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts").path
    }

    /// The folder the private servers live in, `minhu-fault-<uid>` in the temporary folder: this user's own and
    /// closed to others, because the instance scripts source `instance.env` from it. One named by port alone in a
    /// shared /tmp could be made first by another user. A folder that exists as a link, with another owner or
    /// open to others is refused. The name is fixed per user so that a run cleans what a killed run left.
    static func faultDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "minhu-fault-\(geteuid())"
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw TestEnvironmentError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard lstat(path, &status) == 0 else {
            throw TestEnvironmentError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFDIR, status.st_uid == geteuid(), status.st_mode & 0o077 == 0 else {
            throw TestEnvironmentError("\(path) is not a folder of this user's own, closed to others: remove it")
        }
        return path
    }

    /// Runs one of the instance scripts on a thread of its own (posix_spawn + waitpid; Foundation's `Process`
    /// did not reap these scripts, whose background servers inherit their descriptors); throws with the script's
    /// output when it fails.
    static func script(_ name: String, _ arguments: String...) async throws {
        let path = scriptsDirectory + "/" + name
        let logPath = NSTemporaryDirectory() + "minhu-script-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try spawnAndWait(path: path, arguments: arguments, logPath: logPath) })
            }
        }
        guard status == 0 else {
            let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw TestEnvironmentError("\(name) \(arguments.joined(separator: " ")) exited \(status): \(output)")
        }
    }

    /// The instance scripts' environment: this process's, without the settings that would change what the tests
    /// expect of a private server (its administrator's name and password, its ports), which a developer may have
    /// exported for the development servers.
    static var scriptEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("MINHU_DEV_AMQP_") && !(key.hasPrefix("MINHU_RABBITMQ_") && key.hasSuffix("_PORT"))
        }
    }

    private static func spawnAndWait(path: String, arguments: [String], logPath: String) throws -> Int32 {
        let pid = try ChildProcess.spawn(path: path, arguments: arguments, environment: scriptEnvironment,
                                         logPath: logPath)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return ChildProcess.exitCode(status)
    }

    /// The folder holding the built executables (`.build/debug`), for tests that run a service as a process.
    static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["MINHU_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if FileManager.default.fileExists(atPath: argv0.appendingPathComponent("minhu").path) { return argv0 }
        // …/debug/MinhuPackageTests.xctest/… or the repository's .build/debug.
        var url = argv0
        for _ in 0..<4 {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("minhu").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug")
    }
}
