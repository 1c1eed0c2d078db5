import Foundation
import MinhuModels

/// One `deadline.*` event of minhu-deadlines, read from the outbox, as `minhu demo deadlines` prints it.
struct DemoDeadlineEmission: Sendable {
    /// The outbox row id (the order they were emitted in).
    var id: Int64
    var appealID: UUID
    var caseNumber: String
    var occurredAt: Date
    /// The line to print, in Chinese with the English event name.
    var text: String
    /// Whether this is the sign-by clock's `deadline.overdue`.
    var isSignOverdue: Bool

    /// Nil for a type the demo does not show or a body that does not decode.
    init?(id: Int64, type: String, body: Data, timeZone: TimeZone) {
        self.id = id
        func time(_ date: Date) -> String { DemoDeadlinePlay.format(date, timeZone) }
        switch EventType(rawValue: type) {
        case .deadlineWarning?:
            guard let event = try? MinhuJSON.decode(DeadlineWarning.self, from: body) else { return nil }
            (appealID, caseNumber, occurredAt) = (event.appealId, event.caseNumber, event.occurredAt)
            text = "⏰ 预警 deadline.warning: \(event.clock.chineseName)已过 \(Int((event.thresholdShare * 100).rounded()))%"
                + "（\(time(event.dueAt)) 到期）"
            isSignOverdue = false
        case .deadlineOverdue?:
            guard let event = try? MinhuJSON.decode(DeadlineOverdue.self, from: body) else { return nil }
            (appealID, caseNumber, occurredAt) = (event.appealId, event.caseNumber, event.occurredAt)
            text = "🔴 超期 deadline.overdue: \(event.clock.chineseName) \(time(event.dueAt)) 已到期"
            isSignOverdue = event.clock == .sign
        case .deadlineChanged?:
            guard let event = try? MinhuJSON.decode(DeadlineChanged.self, from: body) else { return nil }
            (appealID, caseNumber, occurredAt) = (event.appealId, event.caseNumber, event.occurredAt)
            let due = [event.signBy.map { "签收 \(time($0))" }, event.replyBy.map { "办理 \(time($0))" }]
                .compactMap { $0 }.joined(separator: "，")
            text = "时限变更 deadline.changed: \(event.reason.chineseName)" + (due.isEmpty ? "" : "，现时限 \(due)")
            isSignOverdue = false
        default:
            return nil
        }
    }
}
