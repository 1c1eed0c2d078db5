import Foundation
import MinhuMessaging
import MinhuStorage

/// Private RabbitMQ and PostgreSQL instances for the `Fault…` suites, which stop, kill and freeze them. Started
/// through `scripts/rabbitmq-instance` and `scripts/postgres-instance` (found through `MINHU_SCRIPTS_DIR`) in a
/// temporary folder, on ports of their own; destroyed at the end.
final class PrivateBroker: Sendable {
    let directory: String
    let port: Int
    let url: AMQPURL

    /// Starts a private broker on `port` (its other ports derive from it; see scripts/rabbitmq-instance).
    init(port: Int) throws {
        self.port = port
        directory = NSTemporaryDirectory() + "minhu-fault-rabbitmq-\(port)"
        url = AMQPURL(host: "127.0.0.1", port: port, user: "minhu-admin", password: "minhu-dev", vhost: "minhu")
        try PrivateServers.script("rabbitmq-instance", "destroy", directory)
        try PrivateServers.script("rabbitmq-instance", "start", directory, String(port))
    }

    func stop() throws { try PrivateServers.script("rabbitmq-instance", "stop", directory) }
    func start() throws { try PrivateServers.script("rabbitmq-instance", "start", directory, String(port)) }
    func freeze() throws { try PrivateServers.script("rabbitmq-instance", "freeze", directory) }
    func thaw() throws { try PrivateServers.script("rabbitmq-instance", "thaw", directory) }
    func destroy() { try? PrivateServers.script("rabbitmq-instance", "destroy", directory) }
}

/// A private PostgreSQL server (superuser `postgres`, trust auth on loopback).
final class PrivatePostgres: Sendable {
    let directory: String
    let port: Int

    init(port: Int) throws {
        self.port = port
        directory = NSTemporaryDirectory() + "minhu-fault-postgres-\(port)"
        try PrivateServers.script("postgres-instance", "destroy", directory)
        try PrivateServers.script("postgres-instance", "start", directory, String(port))
    }

    var serverURL: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    func start() throws { try PrivateServers.script("postgres-instance", "start", directory, String(port)) }
    /// An immediate-mode stop: a crash as far as clients and recovery are concerned.
    func crash() throws { try PrivateServers.script("postgres-instance", "kill", directory) }
    func destroy() { try? PrivateServers.script("postgres-instance", "destroy", directory) }
}

enum PrivateServers {
    static var scriptsDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["MINHU_SCRIPTS_DIR"], !dir.isEmpty { return dir }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts").path
    }

    /// Runs one of the instance scripts; throws with its output when it fails.
    static func script(_ name: String, _ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: scriptsDirectory + "/" + name)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestEnvironmentError("\(name) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                                       + String(decoding: data, as: UTF8.self))
        }
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
