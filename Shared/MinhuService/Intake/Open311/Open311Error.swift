import Foundation
import Hummingbird

/// A GeoReport v2 error: answered as the spec's error list, `[{"code": 404, "description": "…"}]` or
/// `<errors><error><code>404</code><description>…</description></error></errors>`, with the same HTTP status.
public struct Open311Error: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var text: String

    public init(_ code: Int, _ text: String) {
        self.code = code
        self.text = text
    }

    public static func badRequest(_ text: String) -> Open311Error { Open311Error(400, text) }
    public static func forbidden(_ text: String) -> Open311Error { Open311Error(403, text) }
    public static func notFound(_ text: String) -> Open311Error { Open311Error(404, text) }

    public var description: String { "\(code) \(text)" }

    public var node: Open311Node {
        .list(element: "error", [.object([.init("code", .integer(code)), .init("description", .string(text))])])
    }

    func response(_ format: Open311Format) -> Response {
        format.response(node, root: "errors", status: HTTPResponse.Status(code: code))
    }
}
