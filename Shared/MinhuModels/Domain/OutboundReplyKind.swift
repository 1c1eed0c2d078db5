/// What an `OutboundReply` tells the citizen.
public enum OutboundReplyKind: String, CaseIterable, Codable, Sendable {
    /// The department's reply (答复).
    case reply
    /// 不予受理: the appeal is out of scope, with the reason and legal basis.
    case rejection
    /// Any other notice (e.g. an extension, a second round).
    case notice
}
