/// A department appeals are dispatched to (承办单位): a short code, which names its queue `dept.<code>` and
/// prefixes its routing keys on `minhu.department`, and its Chinese name.
public struct Department: Hashable, Sendable, Codable, Identifiable {
    /// `[a-z0-9-]{1,64}`; never contains a dot, so it is a single routing-key word.
    public let code: String
    /// The name users see, e.g. 市住房和城乡建设局.
    public var name: String

    public var id: String { code }

    /// Fails when `code` is not a valid department code.
    public init?(code: String, name: String) {
        guard Department.isValidCode(code) else { return nil }
        self.code = code
        self.name = name
    }

    private enum CodingKeys: String, CodingKey { case code, name }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let code = try container.decode(String.self, forKey: .code)
        guard Department.isValidCode(code) else {
            throw DecodingError.dataCorruptedError(forKey: .code, in: container,
                                                   debugDescription: "invalid department code '\(code)'")
        }
        self.code = code
        self.name = try container.decode(String.self, forKey: .name)
    }

    /// True for `[a-z0-9-]{1,64}`.
    public static func isValidCode(_ code: String) -> Bool {
        !code.isEmpty && code.utf8.count <= 64 && code.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2d
        }
    }
}
