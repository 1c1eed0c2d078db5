/// The level of a people's-congress deputy (人大代表).
public enum DeputyLevel: String, CaseIterable, Codable, Sendable, Comparable {
    case national
    case provincial
    case city
    case county
    case township

    /// The level's simplified-Chinese name, e.g. 省级.
    public var chineseName: String {
        switch self {
        case .national: "全国"
        case .provincial: "省级"
        case .city: "市级"
        case .county: "县级"
        case .township: "乡镇级"
        }
    }

    /// The deputy's title users see, e.g. 市人大代表.
    public var deputyTitle: String {
        switch self {
        case .national: "全国人大代表"
        case .provincial: "省人大代表"
        case .city: "市人大代表"
        case .county: "县（区）人大代表"
        case .township: "乡镇人大代表"
        }
    }

    /// Parses the English code or the Chinese name.
    public init?(codeOrChineseName value: String) {
        if let level = DeputyLevel(rawValue: value) { self = level; return }
        guard let level = DeputyLevel.allCases.first(where: { $0.chineseName == value || $0.deputyTitle == value })
        else { return nil }
        self = level
    }

    private var rank: Int {
        switch self {
        case .national: 4
        case .provincial: 3
        case .city: 2
        case .county: 1
        case .township: 0
        }
    }

    /// Township < county < city < provincial < national.
    public static func < (lhs: DeputyLevel, rhs: DeputyLevel) -> Bool { lhs.rank < rhs.rank }
}
