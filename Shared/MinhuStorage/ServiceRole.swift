/// The database role of each Minhu service, and the outbox producer name that goes with it.
///
/// Each service writes only its own tables; the role `minhu_<service>` (NOLOGIN, member of ``group``) carries its
/// privileges. A service's outbox rows have `producer` = ``producer`` (`minhu-<service>`, its AMQP `app_id`), and
/// row security lets only members of the matching role insert and relay them.
public enum ServiceRole: String, CaseIterable, Sendable, Hashable {
    case intake
    case dispatcher
    case deadlines
    case supervision
    case evaluation
    case reporting

    /// The group role every service role belongs to: reads reference data, appends to outbox and inbox.
    public static let group = "minhu_service"

    /// The PostgreSQL role, e.g. `minhu_intake`.
    public var roleName: String { "minhu_\(rawValue)" }

    /// The outbox producer and AMQP `app_id`, e.g. `minhu-intake`.
    public var producer: String { "minhu-\(rawValue)" }

    /// The roles that may read citizens' full contact details (DESIGN §4): intake, dispatcher and evaluation.
    public var readsCitizenContacts: Bool {
        switch self {
        case .intake, .dispatcher, .evaluation: true
        case .deadlines, .supervision, .reporting: false
        }
    }
}
