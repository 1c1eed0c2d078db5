/// Why the due times of an assignment changed (`deadline.changed`).
public enum DeadlineChangeReason: String, CaseIterable, Codable, Sendable {
    /// 延期: an extension was granted.
    case `extension`
    /// The department waits on the citizen: the clocks stop.
    case pause
    /// The wait is over: the clocks run again, with the paused working time added.
    case resume

    /// The simplified-Chinese name users see.
    public var chineseName: String {
        switch self {
        case .extension: "延期"
        case .pause: "暂停计时"
        case .resume: "恢复计时"
        }
    }
}
