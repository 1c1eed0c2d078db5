/// What an integrator publishes on `minhu.intake`, as the routing key's second word: `<channel>.<kind>`.
public enum IntakeMessageKind: String, CaseIterable, Codable, Sendable {
    /// `IntakeAppeal`.
    case appeal
    /// `IntakeSupplement`.
    case supplement
    /// `SurveyAnswer`.
    case surveyAnswer = "survey-answer"

    /// The routing key on `minhu.intake`, e.g. `wechat.appeal`.
    public func routingKey(channel: Channel) -> String { "\(channel.rawValue).\(rawValue)" }

    /// Splits a `minhu.intake` routing key into channel and kind; nil when it is not one.
    public static func parse(routingKey: String) -> (channel: Channel, kind: IntakeMessageKind)? {
        let parts = routingKey.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let channel = Channel(rawValue: String(parts[0])),
              let kind = IntakeMessageKind(rawValue: String(parts[1])) else { return nil }
        return (channel, kind)
    }

    /// The message type carrying this kind.
    public var payloadType: any MinhuMessage.Type {
        switch self {
        case .appeal: IntakeAppeal.self
        case .supplement: IntakeSupplement.self
        case .surveyAnswer: SurveyAnswer.self
        }
    }
}
