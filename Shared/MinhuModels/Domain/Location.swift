/// Where an appeal is about, as the citizen or the agent gave it.
public struct Location: Hashable, Sendable, Codable {
    /// 区/县, e.g. 襄城区.
    public var district: String?
    /// 街道/乡镇.
    public var street: String?
    /// 社区/村.
    public var community: String?
    /// Free-text address, e.g. 檀溪路128号.
    public var address: String
    /// WGS-84 latitude in degrees, −90…90.
    public var latitude: Double?
    /// WGS-84 longitude in degrees, −180…180.
    public var longitude: Double?

    public init(district: String? = nil, street: String? = nil, community: String? = nil, address: String,
                latitude: Double? = nil, longitude: Double? = nil) {
        self.district = district
        self.street = street
        self.community = community
        self.address = address
        self.latitude = latitude
        self.longitude = longitude
    }

    /// True when both coordinates are present and in range.
    public var hasValidCoordinates: Bool {
        guard let latitude, let longitude else { return false }
        return (-90...90).contains(latitude) && (-180...180).contains(longitude)
    }
}
