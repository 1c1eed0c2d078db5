import Foundation
import MinhuStorage

/// Readiness of one service: ready only while the database answers and every broker connection is up.
public struct HealthMonitor: Sendable {
    /// A named broker check, e.g. the publisher or a consumer of a queue.
    public struct BrokerCheck: Sendable {
        public var name: String
        public var isUp: @Sendable () -> Bool
        public init(name: String, isUp: @escaping @Sendable () -> Bool) {
            self.name = name
            self.isUp = isUp
        }
    }

    /// The answer `/health` serialises.
    public struct Report: Codable, Sendable, Equatable {
        public var service: String
        public var status: String
        public var live: Bool
        public var ready: Bool
        public var database: String
        public var databaseLatencyMs: Double?
        public var broker: [String: String]

        enum CodingKeys: String, CodingKey {
            case service, status, live, ready, database, broker
            case databaseLatencyMs = "database_latency_ms"
        }
    }

    public var serviceName: String
    public var database: MinhuDatabase
    public var brokerChecks: [BrokerCheck]
    /// The service's start-up gate: until it opens, `ServiceRouter` answers 503 to every route but health and
    /// metrics.
    public var startupGate: StartupGate?

    public init(serviceName: String, database: MinhuDatabase, brokerChecks: [BrokerCheck],
                startupGate: StartupGate? = nil) {
        self.serviceName = serviceName
        self.database = database
        self.brokerChecks = brokerChecks
        self.startupGate = startupGate
    }

    /// Probes the database (bounded by a short timeout) and reads the broker connections' state.
    public func report() async -> Report {
        let databaseHealth = await database.health(timeout: .seconds(2))
        var broker: [String: String] = [:]
        var brokerUp = true
        for check in brokerChecks {
            let up = check.isUp()
            broker[check.name] = up ? "up" : "down"
            brokerUp = brokerUp && up
        }
        let ready = databaseHealth.isReady && brokerUp
        let latency = databaseHealth.latency.map {
            Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15
        }
        return Report(service: serviceName, status: ready ? "ready" : "not-ready", live: true, ready: ready,
                      database: databaseHealth.isReady ? "up" : "down", databaseLatencyMs: latency, broker: broker)
    }
}
