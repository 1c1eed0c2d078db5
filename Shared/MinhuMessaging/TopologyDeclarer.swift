import Foundation

/// Declares a topology over a short-lived connection of its own (used by provisioning, services at start-up and
/// tests).
public enum TopologyDeclarer {
    /// Connects to `url`, declares every exchange, queue and binding of `topology`, and disconnects.
    public static func declare(_ topology: Topology, url: AMQPURL,
                               options: AMQPConnectionOptions = .init(connectionName: "minhu-declare")) async throws {
        try await withConnection(url: url, options: options) { try $0.declare(topology) }
    }

    /// Ready messages and consumers of each of `queues` (passive declares).
    public static func status(of queues: [String], url: AMQPURL,
                              options: AMQPConnectionOptions = .init(connectionName: "minhu-inspect"))
        async throws -> [String: (messages: Int, consumers: Int)] {
        try await withConnection(url: url, options: options) { connection in
            var result: [String: (messages: Int, consumers: Int)] = [:]
            for queue in queues { result[queue] = try connection.queueStatus(queue) }
            return result
        }
    }

    /// Like `status(of:)`, but a queue that does not exist is `nil` instead of an error (the broker closes the
    /// connection's channel on it, so the next queues are asked on a new connection).
    public static func statusIfPresent(of queues: [String], url: AMQPURL,
                                       options: AMQPConnectionOptions = .init(connectionName: "minhu-inspect"))
        async throws -> [String: (messages: Int, consumers: Int)?] {
        var result: [String: (messages: Int, consumers: Int)?] = [:]
        var next = 0
        while next < queues.count {
            let batch = Array(queues[next...])
            let answer: StatusRun = try await withConnection(url: url, options: options) { connection in
                var run = StatusRun()
                for queue in batch {
                    do {
                        let status = try connection.queueStatus(queue)
                        run.found.append(QueueCount(queue: queue, messages: status.messages,
                                                    consumers: status.consumers))
                    } catch AMQPError.brokerRefused(let code, _) where code == 404 {
                        run.missing = queue
                        break
                    }
                }
                return run
            }
            for found in answer.found { result[found.queue] = (found.messages, found.consumers) }
            next += answer.found.count
            if let missing = answer.missing {
                result[missing] = .some(nil)
                next += 1
            }
        }
        return result
    }

    private struct QueueCount: Sendable {
        var queue: String
        var messages: Int
        var consumers: Int
    }

    private struct StatusRun: Sendable {
        var found: [QueueCount] = []
        var missing: String?
    }

    /// Runs `body` on a short-lived connection on a thread of its own.
    static func withConnection<T: Sendable>(url: AMQPURL, options: AMQPConnectionOptions,
                                            _ body: @escaping @Sendable (AMQPConnection) throws -> T) async throws -> T {
        let worker = AMQPWorkerThread(name: "amqp-declare")
        worker.start { worker in
            while !worker.isStopRequested {
                worker.runJobs()
                worker.wait(socket: nil, timeoutMilliseconds: 250)
            }
        }
        defer { worker.requestStop() }
        let result = try await worker.run {
            let connection = try AMQPConnection.open(url: url, options: options, confirms: false)
            defer { connection.close() }
            return try body(connection)
        }
        worker.requestStop()
        await worker.join()
        return result
    }
}
