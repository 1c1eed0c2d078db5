/// What a department publishes on `minhu.department`, as the routing key's second word: `<code>.<action>`.
public enum DepartmentAction: String, CaseIterable, Codable, Sendable {
    case signed
    case returned
    case progress
    case awaitingCitizen = "awaiting-citizen"
    case extensionRequested = "extension-requested"
    case replied

    /// The routing key on `minhu.department`, e.g. `housing.signed`.
    public func routingKey(department code: String) -> String { "\(code).\(rawValue)" }

    /// Splits a `minhu.department` routing key into department code and action; nil when it is not one.
    public static func parse(routingKey: String) -> (departmentCode: String, action: DepartmentAction)? {
        let parts = routingKey.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, Department.isValidCode(String(parts[0])),
              let action = DepartmentAction(rawValue: String(parts[1])) else { return nil }
        return (String(parts[0]), action)
    }

    /// The message type carrying this action.
    public var payloadType: any DepartmentActionMessage.Type {
        switch self {
        case .signed: DepartmentSigned.self
        case .returned: DepartmentReturned.self
        case .progress: DepartmentProgress.self
        case .awaitingCitizen: DepartmentAwaitingCitizen.self
        case .extensionRequested: DepartmentExtensionRequested.self
        case .replied: DepartmentReplied.self
        }
    }

    /// The event the dispatcher publishes once it accepts the action.
    public var eventType: EventType {
        switch self {
        case .signed: .appealSigned
        case .returned: .appealReturned
        case .progress: .appealProgressed
        case .awaitingCitizen: .appealAwaitingCitizen
        case .extensionRequested: .appealExtensionRequested
        case .replied: .appealReplied
        }
    }
}
