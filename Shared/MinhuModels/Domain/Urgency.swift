/// How urgent an appeal is; emergencies and urgent appeals have hour limits rather than working-day limits.
public enum Urgency: String, CaseIterable, Codable, Sendable, Comparable {
    case normal
    case urgent
    case emergency

    /// The simplified-Chinese name users see.
    public var chineseName: String {
        switch self {
        case .normal: "一般"
        case .urgent: "紧急"
        case .emergency: "特急"
        }
    }

    private var rank: Int {
        switch self {
        case .normal: 0
        case .urgent: 1
        case .emergency: 2
        }
    }

    public static func < (lhs: Urgency, rhs: Urgency) -> Bool { lhs.rank < rhs.rank }
}
