import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MinhuMessaging

/// The few calls of RabbitMQ's management HTTP API that `minhu topology users` makes, with basic auth. The password
/// is never printed: errors name the API by `display` (`http://user@host:port`).
struct RabbitManagementClient: Sendable {
    let base: URL
    let user: String
    let password: String

    /// `http(s)://user:password@host:port`, e.g. `MINHU_AMQP_MANAGEMENT_URL`.
    init(url text: String) throws {
        guard var components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty else {
            throw CommandFailure("the management URL must be http(s)://user:password@host:port")
        }
        guard let user = components.user, !user.isEmpty, let password = components.password else {
            throw CommandFailure("the management URL must carry an administrator's user and password")
        }
        components.user = nil
        components.password = nil
        components.path = ""
        guard let base = components.url else { throw CommandFailure("the management URL is not valid") }
        self.init(base: base, user: user, password: password)
    }

    init(base: URL, user: String, password: String) {
        self.base = base
        self.user = user
        self.password = password
    }

    /// The API on the broker of `amqp` (its host, plain http on port 15672, its credentials): for a broker on this
    /// host or a private network; set `MINHU_AMQP_MANAGEMENT_URL` (https) for one reached over others.
    static func derived(from amqp: AMQPURL) throws -> RabbitManagementClient {
        let host = amqp.host.contains(":") && !amqp.host.hasPrefix("[") ? "[\(amqp.host)]" : amqp.host
        guard let base = URL(string: "http://\(host):15672") else {
            throw CommandFailure("cannot build the management API address from MINHU_AMQP_URL's host")
        }
        return RabbitManagementClient(base: base, user: amqp.user, password: amqp.password)
    }

    /// Where the API is, without the password.
    var display: String {
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false)
        components?.user = user
        return components?.string ?? base.absoluteString
    }

    /// GET `/api/<segments>`; nil when the answer is 404.
    func get(_ segments: [String]) async throws -> Data? {
        let (status, data) = try await send("GET", segments, body: nil)
        if status == 404 { return nil }
        try check(status, data, "GET", segments)
        return data
    }

    /// `get`, retrying while the API does not answer (a broker still starting: its management listener opens after
    /// the broker answers pings) for up to `within`.
    func getWhenUp(_ segments: [String], within: Duration) async throws -> Data? {
        let deadline = ContinuousClock.now + within
        while true {
            do { return try await get(segments) } catch let failure as Unreachable {
                guard ContinuousClock.now < deadline else { throw CommandFailure(failure.description) }
                try await Task.sleep(for: .seconds(2))
            }
        }
    }

    /// The API did not answer at all (no HTTP status).
    struct Unreachable: Error, CustomStringConvertible {
        var description: String
    }

    /// PUT `/api/<segments>` with a JSON object.
    func put(_ segments: [String], _ body: [String: String]) async throws {
        let (status, data) = try await send("PUT", segments, body: try JSONSerialization.data(withJSONObject: body))
        try check(status, data, "PUT", segments)
    }

    private func send(_ method: String, _ segments: [String], body: Data?) async throws -> (Int, Data) {
        // RFC 3986 unreserved characters only (ASCII): a vhost "/" becomes %2F, a non-ASCII name is encoded too.
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let path = segments.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }
            .joined(separator: "/")
        guard let url = URL(string: base.absoluteString + "/api/" + path) else {
            throw CommandFailure("cannot build the management API address for /api/\(path)")
        }
        var request = URLRequest(url: url, timeoutInterval: 15)
        request.httpMethod = method
        let token = Data("\(user):\(password)".utf8).base64EncodedString()
        request.setValue("Basic \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
        } catch {
            throw Unreachable(description: "the management API at \(display) did not answer "
                                  + "(\(error.localizedDescription)); is the rabbitmq_management plugin on, and the "
                                  + "URL right?")
        }
    }

    private func check(_ status: Int, _ data: Data, _ method: String, _ segments: [String]) throws {
        if (200..<300).contains(status) { return }
        if status == 401 {
            throw CommandFailure("the management API at \(display) refused the credentials (the user needs the "
                                 + "administrator tag)")
        }
        let answer = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        let reason = (answer?["reason"] as? String) ?? String(decoding: data.prefix(300), as: UTF8.self)
        throw CommandFailure("management API \(method) /api/\(segments.joined(separator: "/")): HTTP \(status): "
                             + reason)
    }
}
