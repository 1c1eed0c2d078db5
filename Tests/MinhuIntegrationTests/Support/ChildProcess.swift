import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// A service executable run as a child process by a test, without Foundation's `Process`.
///
/// Why not `Process`: its `waitUntilExit()` blocks a thread of the cooperative pool (two threads on a two-core CI
/// machine, so two waiting tests stall the whole run), and on Linux it notices an exit only when every holder of
/// an inherited descriptor has closed it, which a concurrently started child may keep open. Here the child gets
/// no descriptor but stdin (/dev/null) and its log file, and waiting polls `waitpid(WNOHANG)` with `Task.sleep`,
/// always with a deadline.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    let logURL: URL
    let name: String
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `executable` from the build folder (or at its absolute path, such as `/bin/sh`) with exactly
    /// `environment`, output and errors to a new log file.
    init(_ executable: String, arguments: [String] = [], environment: [String: String]) throws {
        name = URL(fileURLWithPath: executable).lastPathComponent
        let path = executable.hasPrefix("/") ? executable
            : PrivateServers.binDirectory.appendingPathComponent(executable).path
        logURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(name)-test-\(UUID().uuidString).log")
        pid = try Self.spawn(path: path, arguments: arguments, environment: environment, logPath: logURL.path)
    }

    /// Runs `body` with the started child, which is stopped and its log removed afterwards, also when `body` throws.
    static func with<T>(_ executable: String, arguments: [String] = [], environment: [String: String],
                        _ body: (ChildProcess) async throws -> T) async throws -> T {
        let child = try ChildProcess(executable, arguments: arguments, environment: environment)
        do {
            let result = try await body(child)
            await child.stopAndClean()
            return result
        } catch {
            await child.stopAndClean()
            throw error
        }
    }

    /// posix_spawn with stdin from /dev/null, stdout and stderr to `logPath`, every other descriptor closed, no signal
    /// blocked.
    static func spawn(path: String, arguments: [String], environment: [String: String]?, logPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        _ = closeFrom?(&actions, 3)
        // The spawning thread is a pool thread whose signals are blocked; the child must start with none blocked
        // and default dispositions, or SIGTERM would stay pending in it forever.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned: Int32
        if let environment {
            let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { for pointer in envp { free(pointer) } }
            spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        } else {
            spawned = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        }
        guard spawned == 0 else { throw TestEnvironmentError("cannot run \(path): errno \(spawned)") }
        return pid
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time because the Glibc module
    /// does not import it.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Decodes a `waitpid` status: the exit code, or 128 + the signal (the C macros are not imported).
    static func exitCode(_ status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// The exit code if the child has ended (reaping it), nil while it runs.
    var exitCode: Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        exitStatus = Self.exitCode(status)
        return exitStatus
    }

    var isRunning: Bool { exitCode == nil }

    /// What the child has written so far.
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits for the child to end, polling; after `timeout` it is killed, the test fails with the tail of its log,
    /// and nil is returned.
    @discardableResult
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let code = exitCode { return code }
            try? await Task.sleep(for: .milliseconds(50))
        }
        if let code = exitCode { return code }
        kill(pid, SIGKILL)
        Issue.record("\(name) did not exit within \(timeout); killed. Log tail:\n\(String(log.suffix(4000)))")
        for _ in 0..<100 where exitCode == nil { try? await Task.sleep(for: .milliseconds(50)) }
        return nil
    }

    /// Stops the child with SIGTERM, then SIGKILL if it lingers, and removes its log: for `defer`-style cleanup.
    func stopAndClean() async {
        if isRunning {
            kill(pid, SIGTERM)
            for _ in 0..<200 where exitCode == nil { try? await Task.sleep(for: .milliseconds(50)) }
            if isRunning { kill(pid, SIGKILL) }
            for _ in 0..<100 where exitCode == nil { try? await Task.sleep(for: .milliseconds(50)) }
        }
        try? FileManager.default.removeItem(at: logURL)
    }
}
