import Foundation
import MinhuModels

/// An appeal's current status summary as intake keeps it (table `appeal_status`), and how a lifecycle event moves
/// it (DESIGN §2): events are ordered by (round, dispatch attempt, lifecycle rank, time); an event older than the
/// one the summary was last moved by leaves the status alone, so a stale event from an earlier round or attempt
/// is ignored. Facts that belong to a round rather than a step (the category, the due time of the current
/// attempt) are taken from any event that is not from an earlier round or attempt.
public struct AppealStatusSummary: Sendable, Hashable {
    public var status: AppealStatus
    public var category: String?
    public var leadDepartment: String?
    public var coDepartments: [String]
    public var tier: String?
    public var dueAt: Date?
    public var position: LifecyclePosition
    public var closed: Bool
    public var closureReason: String?
    public var lastEvent: String
    public var statusNotes: String?

    public init(status: AppealStatus, category: String? = nil, leadDepartment: String? = nil,
                coDepartments: [String] = [], tier: String? = nil, dueAt: Date? = nil, position: LifecyclePosition,
                closed: Bool = false, closureReason: String? = nil, lastEvent: String, statusNotes: String? = nil) {
        self.status = status
        self.category = category
        self.leadDepartment = leadDepartment
        self.coDepartments = coDepartments
        self.tier = tier
        self.dueAt = dueAt
        self.position = position
        self.closed = closed
        self.closureReason = closureReason
        self.lastEvent = lastEvent
        self.statusNotes = statusNotes
    }

    /// The summary after `event`, or nil when the event changes nothing (stale, or not about the status).
    public func applying(_ event: any LifecycleEventPayload) -> AppealStatusSummary? {
        let incoming = event.lifecyclePosition
        let sameOrLaterAttempt = (incoming.round, incoming.attempt) >= (position.round, position.attempt)
        var next = self
        // Facts of the round and attempt, whatever the step order.
        switch event {
        case let classified as AppealClassified where incoming.round >= position.round:
            next.category = classified.category.displayName
            next.tier = classified.tier.rawValue
            if next.leadDepartment == nil || position.attempt == 0 { next.leadDepartment = classified.departmentCode ?? next.leadDepartment }
        case let dispatched as AppealDispatched where sameOrLaterAttempt:
            next.leadDepartment = dispatched.departmentCode
            next.coDepartments = dispatched.coDepartmentCodes
            next.tier = dispatched.tier.rawValue
            if incoming.round > position.round || incoming.attempt > position.attempt || dueAt == nil {
                next.dueAt = dispatched.replyBy
            }
        case let changed as DeadlineChanged where sameOrLaterAttempt:
            if let replyBy = changed.replyBy { next.dueAt = replyBy }
        default:
            break
        }
        // An answer to what the status waits for: the citizen's supplement ends 待群众补充, the centre's decision
        // ends 申请延期; the department is at work again (处理中). Only for the same assignment, and only later.
        let sameAttempt = (incoming.round, incoming.attempt) == (position.round, position.attempt)
        let answer: AppealStatus? = switch event {
        case is AppealSupplemented where status == .awaitingCitizen: .inProgress
        case let changed as DeadlineChanged where status == .extensionRequested && changed.reason == .extension:
            .inProgress
        default: nil
        }
        if let answer, sameAttempt, event.occurredAt > position.occurredAt {
            next.status = answer
            next.position = LifecyclePosition(round: incoming.round, attempt: incoming.attempt,
                                              rank: answer.lifecycleRank, occurredAt: event.occurredAt)
            next.lastEvent = type(of: event).eventType.rawValue
            next.statusNotes = nil
        }
        // The step, only forward; a co-department's action is not the case's (docs/messages.md, "For departments").
        if let status = AppealStatus(event: type(of: event).eventType), incoming > position,
           !Self.isCoDepartmentAction(event, lead: leadDepartment) {
            next.status = status
            next.position = incoming
            next.lastEvent = type(of: event).eventType.rawValue
            switch event {
            case let rejected as AppealRejected:
                next.closed = true
                next.closureReason = "rejected"
                next.statusNotes = rejected.reason
            case let closed as AppealClosed:
                next.closed = true
                next.closureReason = closed.reason.rawValue
            case let reopened as AppealReopened:
                next.closed = false
                next.closureReason = nil
                next.dueAt = nil
                next.statusNotes = reopened.reason
            case let returned as AppealReturned:
                next.statusNotes = returned.reason
            case let replied as AppealReplied:
                next.statusNotes = replied.reply
            case is AppealDispatched:
                next.closed = false
                next.statusNotes = nil
            default:
                break
            }
        }
        return next == self ? nil : next
    }

    /// Whether `event` is a department's action (signature, return, progress, wait, extension request, reply) by
    /// another department than the lead one, when the lead is known.
    static func isCoDepartmentAction(_ event: any LifecycleEventPayload, lead: String?) -> Bool {
        guard let lead, !(event is AppealDispatched), let department = event.assignmentDepartmentCode else {
            return false
        }
        return department != lead
    }
}
