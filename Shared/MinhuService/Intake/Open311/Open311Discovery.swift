import Foundation

/// `GET discovery.(json|xml)`: where the endpoint is and how to get a key.
public struct Open311Discovery: Sendable {
    /// When this document last changed.
    public static let changeset = "2026-11-22T00:00:00+08:00"
    public static let specification = "http://wiki.open311.org/GeoReport_v2"

    public var baseURL: String
    public var jurisdiction: String

    public init(baseURL: String, jurisdiction: String) {
        self.baseURL = baseURL
        self.jurisdiction = jurisdiction
    }

    public var node: Open311Node {
        .object([
            .init("changeset", .string(Self.changeset)),
            .init("contact", .string("\(jurisdiction) 12345 政务服务便民热线")),
            .init("key_service",
                  .string("API 密钥由热线中心签发（minhu keys create --role integrator --channel 渠道代码）")),
            .init("endpoints", .list(element: "endpoint", [.object([
                .init("specification", .string(Self.specification)),
                .init("url", .string(baseURL)),
                .init("changeset", .string(Self.changeset)),
                .init("type", .string("production")),
                .init("formats", .list(element: "format", [.string("text/xml"), .string("application/json")])),
            ])])),
        ])
    }
}
