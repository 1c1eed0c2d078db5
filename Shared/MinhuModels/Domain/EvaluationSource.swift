/// Whose verdict an evaluation is (三评: citizens, experts, third parties; deputies evaluate their own appeals).
public enum EvaluationSource: String, CaseIterable, Codable, Sendable {
    /// 群众评议.
    case citizen
    /// 代表评价: the deputy who raised the appeal.
    case deputy
    /// 专家评审.
    case expert
    /// 第三方评估.
    case thirdParty = "third_party"

    /// The simplified-Chinese name users see.
    public var chineseName: String {
        switch self {
        case .citizen: "群众评议"
        case .deputy: "代表评价"
        case .expert: "专家评审"
        case .thirdParty: "第三方评估"
        }
    }
}
