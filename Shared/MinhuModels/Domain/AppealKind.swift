/// Appeal kind (诉求类型).
public enum AppealKind: String, CaseIterable, Codable, Sendable {
    case consultation   // 咨询
    case help           // 求助
    case complaint      // 投诉
    case report         // 举报
    case suggestion     // 建议

    /// The simplified-Chinese name users see.
    public var chineseName: String {
        switch self {
        case .consultation: "咨询"
        case .help: "求助"
        case .complaint: "投诉"
        case .report: "举报"
        case .suggestion: "建议"
        }
    }

    /// Parses either the English code or the Chinese name.
    public init?(codeOrChineseName value: String) {
        if let kind = AppealKind(rawValue: value) { self = kind; return }
        guard let kind = AppealKind.allCases.first(where: { $0.chineseName == value }) else { return nil }
        self = kind
    }
}
