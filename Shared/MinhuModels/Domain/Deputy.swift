import Foundation

/// A registered people's-congress deputy (人大代表): a call or message from `phone` is recognised at intake and
/// handled on the deputy channel.
public struct Deputy: Hashable, Sendable, Codable, Identifiable {
    public var id: UUID
    /// Full name (Chinese).
    public var name: String
    public var level: DeputyLevel
    /// Canonical phone digits (see `Citizen.normalizePhone`).
    public var phone: String
    /// The district or constituency the deputy was elected in, if recorded.
    public var constituency: String?
    /// False once the deputy's term has ended; inactive deputies are not recognised at intake.
    public var active: Bool

    public init(id: UUID = UUID(), name: String, level: DeputyLevel, phone: String,
                constituency: String? = nil, active: Bool = true) {
        self.id = id
        self.name = name
        self.level = level
        self.phone = Citizen.normalizePhone(phone) ?? phone
        self.constituency = constituency
        self.active = active
    }
}
