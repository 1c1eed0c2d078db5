import Foundation
import MinhuModels

/// How an appeal's Minhu status shows in Open311 (docs/open311.md, "Status mapping"): the spec's `status`
/// (`open` or `closed`) and the extended status `minhu_status` that integrators can act on.
public struct Open311Status: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case open
        case closed
    }

    public var status: State
    /// One of `extendedStatuses`.
    public var minhuStatus: String

    public init(status: State, minhuStatus: String) {
        self.status = status
        self.minhuStatus = minhuStatus
    }

    /// Every value `minhu_status` takes.
    public static let extendedStatuses = [
        "open", "acknowledged", "in_progress", "awaiting_information", "reassigned", "action_scheduled",
        "under_review", "reopened", "closed", "not_councils_responsibility", "duplicate", "withdrawn",
    ]

    /// The Open311 view of `status` with the summary's `closed` flag and closure reason (`rejected`, a
    /// `ClosureReason` raw value, or `duplicate`).
    public static func map(_ status: AppealStatus, closed: Bool, closureReason: String?) -> Open311Status {
        if status == .rejected || closureReason == "rejected" {
            return Open311Status(status: .closed, minhuStatus: "not_councils_responsibility")
        }
        if closed || status == .closed {
            switch closureReason {
            case "duplicate": return Open311Status(status: .closed, minhuStatus: "duplicate")
            case ClosureReason.withdrawn.rawValue: return Open311Status(status: .closed, minhuStatus: "withdrawn")
            default: return Open311Status(status: .closed, minhuStatus: "closed")
            }
        }
        let extended = switch status {
        case .received, .classified: "open"
        case .dispatched: "acknowledged"
        case .signed, .inProgress, .extensionRequested: "in_progress"
        case .awaitingCitizen: "awaiting_information"
        case .returned: "reassigned"
        case .replied, .evaluated: "action_scheduled"
        case .dissatisfied: "under_review"
        case .reopened: "reopened"
        case .rejected: "not_councils_responsibility"
        case .closed: "closed"
        }
        return Open311Status(status: .open, minhuStatus: extended)
    }

    /// `map` of a stored status name; an unknown name (a newer writer) reads as `received`.
    public static func map(statusName: String, closed: Bool, closureReason: String?) -> Open311Status {
        map(AppealStatus(rawValue: statusName) ?? .received, closed: closed, closureReason: closureReason)
    }
}
