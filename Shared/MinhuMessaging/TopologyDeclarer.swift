import Foundation

/// Declares a topology over a short-lived connection of its own (used by provisioning, services at start-up and
/// tests).
public enum TopologyDeclarer {
    /// Connects to `url`, declares every exchange, queue and binding of `topology`, and disconnects.
    public static func declare(_ topology: Topology, url: AMQPURL,
                               options: AMQPConnectionOptions = .init(connectionName: "minhu-declare")) async throws {
        let worker = AMQPWorkerThread(name: "amqp-declare")
        worker.start { worker in
            while !worker.isStopRequested {
                worker.runJobs()
                worker.wait(socket: nil, timeoutMilliseconds: 250)
            }
        }
        defer { worker.requestStop() }
        try await worker.run {
            let connection = try AMQPConnection.open(url: url, options: options, confirms: false)
            defer { connection.close() }
            try connection.declare(topology)
        }
        worker.requestStop()
        await worker.join()
    }
}
