/// The channel an appeal arrived on: a short lowercase code (`[a-z0-9-]`, 1–32 characters).
///
/// Channels are data (a jurisdiction adds integrators), so this is a validated string, not a closed enum; the
/// well-known ones are constants. The code is the routing-key prefix on `minhu.intake` and the routing key on
/// `minhu.outbound`.
public struct Channel: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// Fails for codes that are empty, longer than 32 characters, or use characters outside `[a-z0-9-]`.
    public init?(rawValue: String) {
        guard Channel.isValidCode(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    private init(unchecked: String) { self.rawValue = unchecked }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let channel = Channel(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "invalid channel code '\(raw)'"))
        }
        self = channel
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// True for `[a-z0-9-]{1,32}`.
    public static func isValidCode(_ code: String) -> Bool {
        !code.isEmpty && code.utf8.count <= 32 && code.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2d
        }
    }

    /// 12345 hotline agents (phone).
    public static let hotline = Channel(unchecked: "hotline")
    /// WeChat official account / mini program.
    public static let wechat = Channel(unchecked: "wechat")
    /// The mayor's mailbox (市长信箱).
    public static let mailbox = Channel(unchecked: "mailbox")
    /// The government app.
    public static let app = Channel(unchecked: "app")
    /// Web forms.
    public static let web = Channel(unchecked: "web")
    /// People's-congress deputies (人大代表) calling on citizens' behalf.
    public static let deputy = Channel(unchecked: "deputy")
    /// Door-to-door collectors (民情收集员) and observers' visits.
    public static let visit = Channel(unchecked: "visit")
    /// Open311 GeoReport v2 clients.
    public static let open311 = Channel(unchecked: "open311")

    /// The channels known out of the box.
    public static let wellKnown: [Channel] = [.hotline, .wechat, .mailbox, .app, .web, .deputy, .visit, .open311]
}
