import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Metrics
import MinhuModels

/// Publishes persistent, mandatory messages with publisher confirms on a connection of its own, on a thread of
/// its own. Implements `MessagePublishing`, the port the outbox relay publishes through.
///
/// The connection is opened on first use and re-opened (with backoff, redeclaring `topology`) after it is lost;
/// while idle, the thread keeps servicing heartbeats so that a dead broker is noticed within two heartbeats.
///
/// ```swift
/// let publisher = AMQPPublisher(url: url, logger: logger)
/// let outcomes = try await publisher.publish(messages)   // one outcome per message
/// await publisher.shutdown()
/// ```
public final class AMQPPublisher: MessagePublishing, @unchecked Sendable {
    private let worker: AMQPWorkerThread
    private let url: AMQPURL
    private let options: AMQPConnectionOptions
    private let topology: Topology?
    private let logger: Logger
    /// Messages published between two confirm waits.
    public let confirmWindow: Int
    /// How long `shutdown()` lets a publish in progress go on before it cuts the connection under it.
    public let shutdownGrace: Duration
    private let statusLock = NSLock()
    private var connectedFlag = false
    private var openedCount = 0
    /// A duplicate of the publishing socket's descriptor (`dup`), so that cutting it reaches that socket even if
    /// rabbitmq-c has closed its own descriptor meanwhile, and never another socket that reused the number.
    private var sendingOn: Int32?
    /// Set once the shutdown grace is over: a publish that starts later is cut at once.
    private var cutting = false
    /// The socket of the publish in progress (under `statusLock`; set and cleared on `worker`, cleared before the
    /// connection closes), which `shutdown()` may cut: a broker under a memory or disk alarm stops reading, and a
    /// send blocked on it would otherwise hold the thread, and a stopping service, for ever.
    private let published = Counter(label: "minhu_amqp_published_total")
    private let failedPublishes = Counter(label: "minhu_amqp_publish_failed_total")

    // Thread-confined state (only touched on `worker`).
    private var connection: AMQPConnection?
    private var wantsConnection = false
    private var failedAttempts = 0
    private var nextAttempt = Date.distantPast

    /// - Parameters:
    ///   - topology: declared on every (re)connection, when given.
    ///   - confirmWindow: messages published before waiting for their confirms (batched confirms).
    ///   - shutdownGrace: how long `shutdown()` waits for a publish in progress before cutting its connection
    ///     (its messages are then not confirmed: the outbox publishes them again).
    public init(url: AMQPURL, options: AMQPConnectionOptions = .init(), topology: Topology? = nil,
                confirmWindow: Int = 1000, shutdownGrace: Duration = .seconds(5), logger: Logger) {
        self.url = url
        self.options = options
        self.topology = topology
        self.confirmWindow = max(1, confirmWindow)
        self.shutdownGrace = shutdownGrace
        self.logger = logger
        self.worker = AMQPWorkerThread(name: "amqp-publisher-\(options.connectionName)")
        worker.start { [self] worker in mainLoop(worker) }
    }

    /// True while a connection is open (for `/health`).
    public var isConnected: Bool {
        statusLock.lock()
        defer { statusLock.unlock() }
        return connectedFlag
    }

    /// How many connections this publisher has opened so far (the first one and every reconnection).
    public var connectionsOpened: Int {
        statusLock.lock()
        defer { statusLock.unlock() }
        return openedCount
    }

    /// Opens the connection now (instead of on first publish); throws when the broker cannot be reached.
    public func connect() async throws {
        try await worker.run { [self] in _ = try ensureConnection() }
    }

    public func publish(_ messages: [OutgoingMessage]) async throws -> [PublishOutcome] {
        guard !messages.isEmpty else { return [] }
        return try await worker.run { [self] in
            let connection = try ensureConnection()
            setSending(connection.socketFD)
            do {
                let outcomes = try connection.publish(messages, window: confirmWindow)
                setSending(nil)
                let confirmed = outcomes.filter(\.isConfirmed).count
                published.increment(by: confirmed)
                if confirmed < outcomes.count { failedPublishes.increment(by: outcomes.count - confirmed) }
                return outcomes
            } catch {
                setSending(nil)
                if case AMQPError.brokerRefused(let code, let text) = error, PublishRefused.codes.contains(code) {
                    // The connection opened the channel again when it could: a refused message costs no reconnection
                    // (the relay publishes one by one after a refusal, and a reconnection redeclares the topology).
                    if !connection.isOpen { dropConnection(reason: "\(error)") }
                    throw PublishRefused(code: code, text: text)
                }
                dropConnection(reason: "\(error)")
                throw error
            }
        }
    }

    /// Closes the connection and ends the thread. Publishing afterwards throws `AMQPError.closed`. A publish still
    /// in progress after `shutdownGrace` (a broker that stopped reading) has its connection cut, so this returns.
    public func shutdown() async {
        worker.submit { [self] in
            connection?.close()
            connection = nil
            setConnected(false)
        }
        worker.requestStop()
        let grace = shutdownGrace
        let watchdog = Task { [self] in
            try? await Task.sleep(for: grace)
            if !Task.isCancelled, cutSend() {
                logger.warning("""
                    AMQP publisher: a publish was still blocked when stopping (does the broker have an alarm?); \
                    connection cut, its messages stay unconfirmed
                    """, metadata: ["amqp.url": "\(url)", "grace": "\(grace)"])
            }
        }
        await worker.join()
        watchdog.cancel()
    }

    // MARK: Thread-confined

    private func mainLoop(_ worker: AMQPWorkerThread) {
        while !worker.isStopRequested {
            worker.runJobs()
            if let connection {
                if !connection.hasBufferedData {
                    worker.wait(socket: connection.socketFD, timeoutMilliseconds: 250)
                }
                worker.runJobs()
                guard let current = self.connection else { continue }
                do { try current.serviceIdle() } catch { dropConnection(reason: "\(error)") }
            } else if wantsConnection && Date() >= nextAttempt {
                _ = try? ensureConnection()
            } else {
                worker.wait(socket: nil, timeoutMilliseconds: 250)
            }
        }
        connection?.close()
        connection = nil
        setConnected(false)
    }

    private func ensureConnection() throws -> AMQPConnection {
        if let connection { return connection }
        // Once shutdown has begun, a job run in the thread's last round opens no connection nothing would close.
        if worker.isStopRequested { throw AMQPError.closed }
        wantsConnection = true
        do {
            let opened = try AMQPConnection.open(url: url, options: options, confirms: true)
            if let topology { try opened.declare(topology) }
            connection = opened
            if failedAttempts > 0 {
                logger.info("AMQP publisher reconnected", metadata: ["amqp.url": "\(url)"])
            }
            failedAttempts = 0
            setConnected(true, opened: true)
            return opened
        } catch {
            failedAttempts += 1
            nextAttempt = Date().addingTimeInterval(options.reconnectBackoff.delay(attempt: failedAttempts))
            logger.warning("AMQP publisher cannot connect",
                           metadata: ["amqp.url": "\(url)", "error": "\(error)", "attempt": "\(failedAttempts)"])
            throw error
        }
    }

    private func dropConnection(reason: String) {
        guard let connection else { return }
        logger.warning("AMQP publisher connection lost", metadata: ["amqp.url": "\(url)", "error": "\(reason)"])
        connection.destroy()
        self.connection = nil
        failedAttempts = max(failedAttempts, 1)
        nextAttempt = Date().addingTimeInterval(options.reconnectBackoff.delay(attempt: failedAttempts))
        setConnected(false)
    }

    private func setConnected(_ value: Bool, opened: Bool = false) {
        statusLock.lock()
        connectedFlag = value
        if opened { openedCount += 1 }
        statusLock.unlock()
    }

    /// Records the socket of a publish about to start (a `dup` of it), or forgets it (nil). After the shutdown
    /// grace, a publish that starts is cut at once.
    private func setSending(_ socket: Int32?) {
        statusLock.lock()
        defer { statusLock.unlock() }
        if let previous = sendingOn { close(previous) }
        sendingOn = nil
        guard let socket else { return }
        let copy = dup(socket)
        guard copy >= 0 else { return }
        sendingOn = copy
        if cutting { Self.cut(copy) }
    }

    /// Shuts down the socket of the publish in progress, and any publish started from now on. The socket is not
    /// closed (the worker closes it once the send fails); the descriptor cut is this publisher's own duplicate.
    /// False when no publish is in progress.
    private func cutSend() -> Bool {
        statusLock.lock()
        defer { statusLock.unlock() }
        cutting = true
        guard let socket = sendingOn else { return false }
        Self.cut(socket)
        return true
    }

    private static func cut(_ socket: Int32) {
        #if canImport(Glibc)
        _ = Glibc.shutdown(socket, Int32(SHUT_RDWR))
        #elseif canImport(Musl)
        _ = Musl.shutdown(socket, Int32(SHUT_RDWR))
        #else
        _ = Darwin.shutdown(socket, SHUT_RDWR)
        #endif
    }
}
