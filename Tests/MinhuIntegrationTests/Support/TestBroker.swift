import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MinhuMessaging
import MinhuModels
import Testing

/// A private vhost per test on the shared test broker (`MINHU_TEST_AMQP_URL`, administered through
/// `MINHU_TEST_AMQP_MANAGEMENT_URL`), so integration tests run in parallel without seeing each other.
struct TestBroker {
    let url: AMQPURL
    let managementURL: URL

    /// The shared test broker from the environment (set by `eval "$(scripts/services env)"`).
    static func fromEnvironment() throws -> TestBroker {
        let environment = ProcessInfo.processInfo.environment
        guard let amqp = environment["MINHU_TEST_AMQP_URL"], let management = environment["MINHU_TEST_AMQP_MANAGEMENT_URL"],
              let managementURL = URL(string: management) else {
            throw TestEnvironmentError("MINHU_TEST_AMQP_URL and MINHU_TEST_AMQP_MANAGEMENT_URL must be set (eval \"$(scripts/services env)\")")
        }
        return TestBroker(url: try AMQPURL(parsing: amqp), managementURL: managementURL)
    }

    /// Creates a fresh vhost, runs `body` with a URL for it, and deletes the vhost afterwards.
    static func withVhost<T>(_ body: (AMQPURL) async throws -> T) async throws -> T {
        let broker = try fromEnvironment()
        let vhost = "test-\(UUID().uuidString.lowercased().prefix(12))"
        try await broker.management("PUT", "/api/vhosts/\(vhost)", body: [:])
        try await broker.management("PUT", "/api/permissions/\(vhost)/\(broker.url.user)",
                                    body: ["configure": ".*", "write": ".*", "read": ".*"])
        do {
            let result = try await body(broker.url.with(vhost: vhost))
            _ = try? await broker.management("DELETE", "/api/vhosts/\(vhost)", body: nil)
            return result
        } catch {
            _ = try? await broker.management("DELETE", "/api/vhosts/\(vhost)", body: nil)
            throw error
        }
    }

    /// Publishes `payload` through the management HTTP API, with exactly the `properties` given (a message no
    /// Minhu publisher would send: e.g. without `schema_version` or with a `message_id` that is not a UUID).
    func publishRaw(vhost: String, exchange: String, routingKey: String, properties: [String: String],
                    payload: String) async throws {
        let body: [String: Any] = ["properties": properties, "routing_key": routingKey, "payload": payload,
                                   "payload_encoding": "string"]
        let data = try await management("POST", "/api/exchanges/\(vhost)/\(exchange)/publish", body: nil,
                                        json: try JSONSerialization.data(withJSONObject: body))
        let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        guard answer?["routed"] as? Bool == true else {
            throw TestEnvironmentError("raw publish not routed: \(answer ?? [:])")
        }
    }

    /// Calls the management HTTP API with basic auth from the URL.
    @discardableResult
    func management(_ method: String, _ path: String, body: [String: String]?, json: Data? = nil) async throws -> Data {
        var components = URLComponents(url: managementURL, resolvingAgainstBaseURL: false)!
        let user = components.user ?? ""
        let password = components.password ?? ""
        components.user = nil
        components.password = nil
        components.percentEncodedPath = path
        var request = URLRequest(url: components.url!)
        request.httpMethod = method
        let token = Data("\(user):\(password)".utf8).base64EncodedString()
        request.setValue("Basic \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let body { request.httpBody = try JSONSerialization.data(withJSONObject: body) }
        if let json { request.httpBody = json }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw TestEnvironmentError("management API \(method) \(path): HTTP \(status) \(String(decoding: data, as: UTF8.self))")
        }
        return data
    }
}

struct TestEnvironmentError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` until it holds or `timeout` passes (never a fixed sleep).
func eventually(timeout: Duration = .seconds(60), poll: Duration = .milliseconds(50),
                _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: poll)
    }
    return try await condition()
}

/// `#expect` that `condition` becomes true within `timeout` (polling; never a fixed sleep).
func expectEventually(timeout: Duration = .seconds(60), _ comment: Comment? = nil,
                      sourceLocation: SourceLocation = #_sourceLocation,
                      _ condition: () async throws -> Bool) async throws {
    let held = try await eventually(timeout: timeout, condition)
    #expect(held, comment, sourceLocation: sourceLocation)
}

/// True when every outcome is `.confirmed`.
func allConfirmed(_ outcomes: [PublishOutcome]) -> Bool { outcomes.allSatisfy { $0.isConfirmed } }
