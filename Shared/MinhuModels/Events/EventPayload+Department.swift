/// The department an event names as acting or assigned, for the events of an assignment.
extension EventPayload {
    /// The `department_code` of a dispatch or a department's action (signature, reply, return, wait, progress,
    /// extension request); nil for events that name none (a supplement, a close, a classification's suggestion).
    public var assignmentDepartmentCode: String? {
        switch self {
        case let event as AppealDispatched: event.departmentCode
        case let event as AppealSigned: event.departmentCode
        case let event as AppealReplied: event.departmentCode
        case let event as AppealReturned: event.departmentCode
        case let event as AppealAwaitingCitizen: event.departmentCode
        case let event as AppealProgressed: event.departmentCode
        case let event as AppealExtensionRequested: event.departmentCode
        default: nil
        }
    }
}
