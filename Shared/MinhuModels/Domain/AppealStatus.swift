/// Where an appeal stands in its life (DESIGN §1).
///
/// Merged appeals (同源诉求) and duplicate submissions are not statuses: a merged appeal carries a cluster id on
/// `appeal.classified` and goes on being handled; a duplicate submission resolves to the first appeal.
public enum AppealStatus: String, CaseIterable, Codable, Sendable {
    case received
    case classified
    /// 不予受理: out of scope, told to the citizen.
    case rejected
    case dispatched
    case signed
    /// 退单: the department sent it back; the dispatcher redispatches it (next attempt).
    case returned
    case inProgress = "in_progress"
    case awaitingCitizen = "awaiting_citizen"
    case extensionRequested = "extension_requested"
    case replied
    case evaluated
    case dissatisfied
    /// 二次办理: a new round begins.
    case reopened
    /// 销号.
    case closed

    /// Order of the status within one (round, attempt): a projection applies an event only when its
    /// `LifecyclePosition` (round, attempt, rank, time) is not older than what it already holds.
    ///
    /// Statuses a department may go back and forth between (progress, awaiting citizen, extension requested)
    /// share one rank and are ordered by time.
    public var lifecycleRank: Int {
        switch self {
        case .reopened: 0
        case .received: 10
        case .classified: 20
        case .rejected: 30
        case .dispatched: 40
        case .signed: 50
        case .inProgress, .awaitingCitizen, .extensionRequested: 60
        case .returned: 70
        case .replied: 80
        case .evaluated: 90
        case .dissatisfied: 100
        case .closed: 110
        }
    }

    /// True when nothing more happens to the appeal unless it is reopened.
    public var isTerminal: Bool { self == .closed || self == .rejected }

    /// The simplified-Chinese name users see.
    public var chineseName: String {
        switch self {
        case .received: "已受理"
        case .classified: "已分类"
        case .rejected: "不予受理"
        case .dispatched: "已转办"
        case .signed: "已签收"
        case .returned: "已退单"
        case .inProgress: "办理中"
        case .awaitingCitizen: "待群众补充"
        case .extensionRequested: "申请延期"
        case .replied: "已答复"
        case .evaluated: "已评价"
        case .dissatisfied: "不满意"
        case .reopened: "重新办理"
        case .closed: "已办结"
        }
    }

    /// The status an event moves the appeal to, or nil for events that leave the status alone
    /// (supplements, deadline and supervision events, surveys, hotspots, reports).
    public init?(event: EventType) {
        switch event {
        case .appealReceived: self = .received
        case .appealClassified: self = .classified
        case .appealRejected: self = .rejected
        case .appealDispatched: self = .dispatched
        case .appealSigned: self = .signed
        case .appealReturned: self = .returned
        case .appealProgressed: self = .inProgress
        case .appealAwaitingCitizen: self = .awaitingCitizen
        case .appealExtensionRequested: self = .extensionRequested
        case .appealReplied: self = .replied
        case .evaluationRecorded: self = .evaluated
        case .appealDissatisfied: self = .dissatisfied
        case .appealReopened: self = .reopened
        case .appealClosed: self = .closed
        case .appealSupplemented, .hotspotDetected, .deadlineWarning, .deadlineOverdue, .deadlineChanged,
             .supervisionOpened, .supervisionEscalated, .supervisionResolved, .surveyRequested, .reportPublished:
            return nil
        }
    }
}
