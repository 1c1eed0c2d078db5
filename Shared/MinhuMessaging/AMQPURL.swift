import Foundation

/// A parsed `amqp://user:password@host:port/vhost` URL.
///
/// The vhost is the percent-decoded path without its leading slash; an empty path means `/`
/// (write `%2F` for the vhost `/` explicitly). The password is never part of `description`.
public struct AMQPURL: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var vhost: String

    public init(host: String, port: Int = 5672, user: String = "guest", password: String = "guest",
                vhost: String = "/") {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.vhost = vhost
    }

    /// Parses an AMQP URL; throws `AMQPError.invalidURL` naming what is wrong.
    public init(parsing string: String) throws {
        guard let components = URLComponents(string: string) else {
            throw AMQPError.invalidURL("not a URL")
        }
        guard components.scheme == "amqp" else {
            throw AMQPError.invalidURL("scheme must be amqp://")
        }
        guard let host = components.host, !host.isEmpty else {
            throw AMQPError.invalidURL("missing host")
        }
        self.host = host
        self.port = components.port ?? 5672
        guard (1...65535).contains(port) else { throw AMQPError.invalidURL("port out of range") }
        // Decoded once, from the encoded form (`URLComponents.user` is decoded already: decoding it again turned a
        // password's `%25` into `%` and then into nothing, which fell back to "guest").
        func decoded(_ encoded: String?, _ what: String) throws -> String? {
            guard let encoded else { return nil }
            guard let text = encoded.removingPercentEncoding else { throw AMQPError.invalidURL("invalid \(what) encoding") }
            return text
        }
        self.user = try decoded(components.percentEncodedUser, "user") ?? "guest"
        self.password = try decoded(components.percentEncodedPassword, "password") ?? "guest"
        let path = components.percentEncodedPath
        if path.isEmpty || path == "/" {
            self.vhost = "/"
        } else {
            let raw = String(path.dropFirst())
            guard let decoded = raw.removingPercentEncoding, !decoded.isEmpty else {
                throw AMQPError.invalidURL("invalid vhost")
            }
            self.vhost = decoded
        }
    }

    /// A copy of this URL for another vhost.
    public func with(vhost: String) -> AMQPURL {
        var copy = self
        copy.vhost = vhost
        return copy
    }

    /// A copy of this URL with other credentials.
    public func with(user: String, password: String) -> AMQPURL {
        var copy = self
        copy.user = user
        copy.password = password
        return copy
    }

    /// `amqp://user@host:port/vhost`, without the password.
    public var description: String {
        let encodedVhost = vhost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? vhost
        return "amqp://\(user)@\(host):\(port)/\(encodedVhost)"
    }
}
