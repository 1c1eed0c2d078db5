import Foundation
import MinhuModels

/// What minhu-deadlines requires of an event beyond its JSON shape, checked when it is decoded: a refused event is
/// dead-lettered with the reason and changes nothing. Without it, a round of 0 failed a table constraint inside the
/// batch's transaction (the whole batch rolled back, then the one message was requeued until the broker's delivery
/// limit dead-lettered it without a reason), a sign-by time before the dispatch warned and went overdue at the first
/// tick, and an extension request of 0 days was stored as pending.
enum DeadlineEventCheck {
    /// The largest round or attempt the clocks' integer columns hold.
    static let maximumPosition = Int(Int32.max)

    /// Throws a `MessageRejection` naming the first field that is out of range.
    static func check(_ payload: any EventPayload) throws {
        guard let event = payload as? any LifecycleEventPayload else { return }
        guard (1...maximumPosition).contains(event.round) else {
            throw MessageRejection("field 'round' must be 1 or more (got \(event.round))")
        }
        let firstAttempt = payload is AppealDispatched ? 1 : 0
        guard (firstAttempt...maximumPosition).contains(event.attempt) else {
            throw MessageRejection("field 'attempt' must be \(firstAttempt) or more (got \(event.attempt))")
        }
        guard !event.caseNumber.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw MessageRejection("field 'case_number' is empty")
        }
        if let code = payload.assignmentDepartmentCode, !Department.isValidCode(code) {
            throw MessageRejection("field 'department_code' is not a department code ([a-z0-9-], 1-64 characters)")
        }
        switch payload {
        case let dispatched as AppealDispatched:
            // The sign-by time counts from the dispatch. The reply-by time counts from the appeal's arrival, so an
            // appeal dispatched late (from the manual desk) may be due already: its clock starts overdue.
            guard dispatched.signBy >= dispatched.occurredAt else {
                throw MessageRejection("field 'sign_by' must not be before 'occurred_at'")
            }
            if let days = dispatched.workingDays, days < 1 {
                throw MessageRejection("field 'working_days' must be 1 or more (got \(days))")
            }
        case let request as AppealExtensionRequested:
            guard (1...1_000).contains(request.workingDays) else {
                throw MessageRejection("field 'working_days' must be 1-1000 (got \(request.workingDays))")
            }
        default:
            break
        }
    }
}
