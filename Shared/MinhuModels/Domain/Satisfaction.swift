/// A citizen's (or deputy's) verdict on how an appeal was handled.
public enum Satisfaction: String, CaseIterable, Codable, Sendable {
    case satisfied
    case basicallySatisfied = "basically_satisfied"
    case dissatisfied

    /// The simplified-Chinese name users see.
    public var chineseName: String {
        switch self {
        case .satisfied: "满意"
        case .basicallySatisfied: "基本满意"
        case .dissatisfied: "不满意"
        }
    }
}
