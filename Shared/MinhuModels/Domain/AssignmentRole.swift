/// A department's role on an assignment.
public enum AssignmentRole: String, CaseIterable, Codable, Sendable {
    /// 主办: answers for the appeal and replies.
    case lead
    /// 协办: helps the lead department.
    case co

    /// The simplified-Chinese name users see.
    public var chineseName: String {
        switch self {
        case .lead: "主办"
        case .co: "协办"
        }
    }
}
