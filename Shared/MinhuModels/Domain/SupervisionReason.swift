/// What triggered a supervision case (督办).
public enum SupervisionReason: String, CaseIterable, Codable, Sendable {
    /// 超期: a clock passed its due time.
    case overdue
    /// 推诿: the appeal was returned again and again.
    case shirking
    /// 不满意: the citizen or deputy was dissatisfied.
    case dissatisfied
    /// 热点: a hotspot of same-source appeals.
    case hotspot
    /// 代表件: an appeal from a people's-congress deputy.
    case deputy
    /// 人工: a supervisor opened it by hand.
    case manual

    /// The simplified-Chinese name users see.
    public var chineseName: String {
        switch self {
        case .overdue: "超期"
        case .shirking: "推诿扯皮"
        case .dissatisfied: "群众不满意"
        case .hotspot: "热点诉求"
        case .deputy: "代表诉求"
        case .manual: "人工督办"
        }
    }
}
