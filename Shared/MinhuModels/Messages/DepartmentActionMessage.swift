import Foundation

/// A department's action on an assignment (`minhu.department`, routing key `<code>.<action>`).
///
/// It names the assignment by appeal id, round and attempt, exactly as the `DispatchAssignment` carried them; the
/// dispatcher refuses an action on an assignment that was superseded (a later attempt or round).
public protocol DepartmentActionMessage: MinhuMessage {
    static var action: DepartmentAction { get }
    var appealId: UUID { get }
    var caseNumber: String { get }
    var round: Int { get }
    var attempt: Int { get }
    /// When the department did it.
    var occurredAt: Date { get }
    /// 经办人.
    var handler: String? { get }
}
