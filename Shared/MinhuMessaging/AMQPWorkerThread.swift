import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread that runs every rabbitmq-c call of one client, never Swift's cooperative pool
/// (rabbitmq-c is blocking and not thread-safe).
///
/// Other threads `submit` jobs; the thread's main loop (given to `start`) runs them with `runJobs()` and
/// sleeps in `wait(socket:timeoutMilliseconds:)`, which returns early when a job arrives (a self-pipe wakes
/// `poll(2)`) or the AMQP socket becomes readable. Everything the jobs touch is confined to this thread.
final class AMQPWorkerThread: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    private let lock = NSLock()
    private var jobs: [Job] = []
    private var stopRequested = false
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let name: String
    private var finished: [CheckedContinuation<Void, Never>] = []
    private var hasFinished = false

    init(name: String) {
        var fds: [Int32] = [0, 0]
        let result = pipe(&fds)
        precondition(result == 0, "pipe() failed")
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)
        self.name = name
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Starts the thread running `main`; `main` should loop until `isStopRequested`.
    func start(_ main: @escaping @Sendable (AMQPWorkerThread) -> Void) {
        let thread = Thread { [self] in
            main(self)
            // Run what is left so that no continuation is left hanging; `hasFinished` is set under the same lock
            // that finds the queue empty, so a job either runs here or is refused by `run` (`AMQPError.closed`).
            var waiters: [CheckedContinuation<Void, Never>] = []
            while true {
                lock.lock()
                if jobs.isEmpty {
                    hasFinished = true
                    waiters = finished
                    finished.removeAll()
                    lock.unlock()
                    break
                }
                lock.unlock()
                runJobs()
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.name = name
        thread.start()
    }

    /// Queues `job` for the thread and wakes it. Safe from any thread.
    /// - Returns: false when the thread has finished (the job will never run).
    @discardableResult
    func submit(_ job: @escaping Job) -> Bool {
        lock.lock()
        guard !hasFinished else {
            lock.unlock()
            return false
        }
        jobs.append(job)
        lock.unlock()
        wake()
        return true
    }

    /// Runs `body` on the thread and returns its result to the async caller; throws `AMQPError.closed` once the
    /// thread has finished.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            // The check and the queueing are one step (`submit`), so no job slips in after the last `runJobs`.
            let queued = submit { continuation.resume(with: Result { try body() }) }
            if !queued { continuation.resume(throwing: AMQPError.closed) }
        }
    }

    /// Asks the main loop to end (it checks `isStopRequested`).
    func requestStop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
        wake()
    }

    var isStopRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopRequested
    }

    /// Waits until the thread has left its main loop.
    func join() async {
        await withCheckedContinuation { continuation in
            lock.lock()
            if hasFinished {
                lock.unlock()
                continuation.resume()
                return
            }
            finished.append(continuation)
            lock.unlock()
        }
    }

    /// On the thread: runs every queued job.
    func runJobs() {
        while true {
            lock.lock()
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            lock.unlock()
            if batch.isEmpty { return }
            for job in batch { job() }
        }
    }

    /// On the thread: blocks until a job arrives, `socket` is readable, or the timeout passes.
    /// - Returns: true when the socket is readable.
    @discardableResult
    func wait(socket: Int32?, timeoutMilliseconds: Int32) -> Bool {
        lock.lock()
        let pending = !jobs.isEmpty || stopRequested
        lock.unlock()
        if pending { return false }
        var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        if let socket { fds.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0)) }
        let result = poll(&fds, nfds_t(fds.count), timeoutMilliseconds)
        if result > 0 && fds[0].revents != 0 { drainWakePipe() }
        guard result > 0, fds.count > 1 else { return false }
        return fds[1].revents != 0
    }

    /// On the thread: sleeps up to `seconds`, returning early when stop is requested; runs jobs meanwhile.
    func sleep(seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while !isStopRequested {
            runJobs()
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return }
            wait(socket: nil, timeoutMilliseconds: Int32(min(left, 0.5) * 1000) + 1)
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while Glibc.read(wakeRead, &buffer, buffer.count) > 0 {}
    }
}
