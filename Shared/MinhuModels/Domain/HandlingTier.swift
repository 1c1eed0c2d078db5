/// Handling tier: how an appeal is handled and how long it may take.
public enum HandlingTier: String, CaseIterable, Codable, Sendable {
    /// 即办: simple, same working day.
    case immediate
    /// 限期办: the normal case, N working days.
    case deadline
    /// 研究办: complex, cross-department (lead 主办 + co-departments 协办), longer deadline.
    case research

    /// The simplified-Chinese name users see.
    public var chineseName: String {
        switch self {
        case .immediate: "即办"
        case .deadline: "限期办"
        case .research: "研究办"
        }
    }
}
