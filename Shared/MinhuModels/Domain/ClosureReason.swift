/// Why an appeal could be closed (销号).
public enum ClosureReason: String, CaseIterable, Codable, Sendable {
    /// The survey was answered satisfied or basically satisfied.
    case evaluated
    /// The citizen could not be reached for the survey within the allowed tries.
    case noResponse = "no_response"
    /// Dissatisfied, but a review found it reasonably handled (不满意但经审核办理合理).
    case reviewed
    /// The citizen withdrew the appeal.
    case withdrawn

    /// The simplified-Chinese name users see.
    public var chineseName: String {
        switch self {
        case .evaluated: "评价办结"
        case .noResponse: "回访未接通"
        case .reviewed: "审核办结"
        case .withdrawn: "群众撤诉"
        }
    }
}
