/// What a `DepartmentNotice` is.
public enum DepartmentNoticeKind: String, CaseIterable, Codable, Sendable {
    /// 催办: a reminder before or at a deadline.
    case reminder
    /// 督办函: a supervision letter.
    case supervisionLetter = "supervision_letter"
    /// 撤回: the assignment was superseded (redispatched elsewhere, or a new round); stop working on it.
    case recall
    /// The dispatcher refused one of the department's messages (e.g. a stale round or attempt).
    case refusal
    /// 预警: a deadline warning.
    case warning

    /// The simplified-Chinese name users see.
    public var chineseName: String {
        switch self {
        case .reminder: "催办"
        case .supervisionLetter: "督办函"
        case .recall: "撤回"
        case .refusal: "退回"
        case .warning: "预警"
        }
    }
}
