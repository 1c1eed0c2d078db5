/// The place the classifier found in an appeal's text (or an agent set), at whatever precision it could.
public struct Place: Hashable, Sendable, Codable {
    /// 区/县.
    public var district: String?
    /// 街道/乡镇.
    public var street: String?
    /// 社区/村.
    public var community: String?
    /// 路/小区 named in the text.
    public var road: String?

    public init(district: String? = nil, street: String? = nil, community: String? = nil, road: String? = nil) {
        self.district = district
        self.street = street
        self.community = community
        self.road = road
    }

    /// True when no part is known.
    public var isEmpty: Bool { district == nil && street == nil && community == nil && road == nil }

    /// The known parts joined without separators, as Chinese addresses are written, e.g. 襄城区檀溪街道.
    public var displayName: String { [district, street, community, road].compactMap { $0 }.joined() }
}
