import Foundation

/// minhu-dispatcher's own settings, from the environment (docs/dispatcher.md, "Settings").
///
/// - `MINHU_DISPATCH_MIN_CONFIDENCE`: below this classifier confidence an appeal goes to the manual desk instead
///   of being classified automatically (0…1, default 0.6).
/// - `MINHU_HOTSPOT_THRESHOLDS`: cluster sizes that raise `hotspot.detected`, comma-separated (default `5,20,50`).
/// - `MINHU_HOTSPOT_WINDOW_DAYS`: the window the cluster size is counted in (default 30).
/// - `MINHU_CLUSTER_WINDOW_DAYS`: how far back a new appeal is compared with earlier ones (default 180).
/// - `MINHU_DISPATCH_MAX_TEXT_CHARS`: characters of the body the rules and places read (default 4000).
public struct DispatcherSettings: Sendable {
    public var minimumConfidence: Double
    public var hotspotThresholds: [Int]
    public var hotspotWindowDays: Int
    public var clusterWindowDays: Int
    public var maxTextCharacters: Int
    /// First-level category → suggested lead department code (used only when the code is an active department).
    public var departmentByCategory: [String: String]

    /// The A市 default: one lead department per first-level class of the shipped model.
    public static let defaultDepartments: [String: String] = [
        "交通运输": "transport", "劳动和社会保障": "hrss", "卫生计生": "health", "商贸旅游": "commerce",
        "城乡建设": "housing", "教育文体": "education", "环境保护": "eco-env",
    ]

    /// How much of an appeal's body the classifier and the rules read by default.
    public static let defaultMaxTextCharacters = 4000

    public init(minimumConfidence: Double = 0.6, hotspotThresholds: [Int] = [5, 20, 50], hotspotWindowDays: Int = 30,
                clusterWindowDays: Int = 180, maxTextCharacters: Int = DispatcherSettings.defaultMaxTextCharacters,
                departmentByCategory: [String: String] = DispatcherSettings.defaultDepartments) {
        self.minimumConfidence = minimumConfidence
        self.hotspotThresholds = hotspotThresholds.sorted()
        self.hotspotWindowDays = hotspotWindowDays
        self.clusterWindowDays = clusterWindowDays
        self.maxTextCharacters = maxTextCharacters
        self.departmentByCategory = departmentByCategory
    }

    public static func fromEnvironment(_ environment: [String: String]) throws -> DispatcherSettings {
        let reader = EnvironmentReader(environment)
        var minimum = 0.6
        if let raw = reader.optional("MINHU_DISPATCH_MIN_CONFIDENCE") {
            guard let value = Double(raw), (0...1).contains(value) else {
                throw ConfigurationError(key: "MINHU_DISPATCH_MIN_CONFIDENCE", reason: "expected a number in 0...1")
            }
            minimum = value
        }
        var thresholds = [5, 20, 50]
        if let raw = reader.optional("MINHU_HOTSPOT_THRESHOLDS") {
            let parts = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let values = parts.compactMap { Int($0) }
            guard !values.isEmpty, values.count == parts.count, values.allSatisfy({ (2...1_000_000).contains($0) }),
                  Set(values).count == values.count else {
                throw ConfigurationError(key: "MINHU_HOTSPOT_THRESHOLDS",
                                         reason: "expected distinct integers in 2...1000000, comma-separated")
            }
            thresholds = values
        }
        let window = try reader.integer("MINHU_HOTSPOT_WINDOW_DAYS", default: 30, range: 1...3650)
        let clusterWindow = try reader.integer("MINHU_CLUSTER_WINDOW_DAYS", default: 180, range: 1...3650)
        let maxText = try reader.integer("MINHU_DISPATCH_MAX_TEXT_CHARS", default: 4000, range: 100...1_000_000)
        return DispatcherSettings(minimumConfidence: minimum, hotspotThresholds: thresholds,
                                  hotspotWindowDays: window, clusterWindowDays: clusterWindow,
                                  maxTextCharacters: maxText)
    }
}
