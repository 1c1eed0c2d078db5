/// A citizen as events show them: masked phone (`138****1234`), masked name (张*), never the full contact.
public struct MaskedCitizen: Hashable, Sendable, Codable {
    /// Masked name (surname then `*`), nil when anonymous or not given.
    public var name: String?
    /// Masked phone, e.g. 138****1234.
    public var phone: String
    public var preferredChannel: Channel?
    public var anonymous: Bool

    public init(name: String? = nil, phone: String, preferredChannel: Channel? = nil, anonymous: Bool = false) {
        self.name = name
        self.phone = phone
        self.preferredChannel = preferredChannel
        self.anonymous = anonymous
    }
}
