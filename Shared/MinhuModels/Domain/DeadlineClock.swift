/// The two clocks that run on an assignment (DESIGN §1).
public enum DeadlineClock: String, CaseIterable, Codable, Sendable {
    /// 签收时限: stopped by `appeal.signed`.
    case sign
    /// 办理时限: stopped by `appeal.replied`.
    case reply

    /// The simplified-Chinese name users see.
    public var chineseName: String {
        switch self {
        case .sign: "签收时限"
        case .reply: "办理时限"
        }
    }
}
