/// Where a message goes: an exchange and a routing key (DESIGN §3).
///
/// ```swift
/// MessageRoute.department(code: "housing", action: .signed)  // minhu.department, housing.signed
/// ```
public struct MessageRoute: Hashable, Sendable, CustomStringConvertible {
    public var exchange: String
    public var routingKey: String

    public init(exchange: String, routingKey: String) {
        self.exchange = exchange
        self.routingKey = routingKey
    }

    public var description: String { "\(exchange) \(routingKey)" }

    /// `minhu.events` (topic): events, routing key = event type.
    public static let eventsExchange = "minhu.events"
    /// `minhu.intake` (topic): integrators' messages, `<channel>.<kind>`.
    public static let intakeExchange = "minhu.intake"
    /// `minhu.dispatch` (direct): messages to a department, routing key = its code.
    public static let dispatchExchange = "minhu.dispatch"
    /// `minhu.department` (topic): departments' actions, `<code>.<action>`.
    public static let departmentExchange = "minhu.department"
    /// `minhu.outbound` (topic): messages to a channel's adapter, routing key = channel code.
    public static let outboundExchange = "minhu.outbound"
    /// `minhu.dead` (topic): dead letters, routing key = the refusing queue's name.
    public static let deadExchange = "minhu.dead"

    /// An event on `minhu.events`.
    public static func event(_ type: EventType) -> MessageRoute {
        MessageRoute(exchange: eventsExchange, routingKey: type.routingKey)
    }

    /// An integrator's message on `minhu.intake`.
    public static func intake(channel: Channel, kind: IntakeMessageKind) -> MessageRoute {
        MessageRoute(exchange: intakeExchange, routingKey: kind.routingKey(channel: channel))
    }

    /// A message to department `code`'s queue on `minhu.dispatch`.
    public static func dispatch(department code: String) -> MessageRoute {
        MessageRoute(exchange: dispatchExchange, routingKey: code)
    }

    /// A department's action on `minhu.department`.
    public static func department(code: String, action: DepartmentAction) -> MessageRoute {
        MessageRoute(exchange: departmentExchange, routingKey: action.routingKey(department: code))
    }

    /// A message to `channel`'s adapter on `minhu.outbound`.
    public static func outbound(channel: Channel) -> MessageRoute {
        MessageRoute(exchange: outboundExchange, routingKey: channel.rawValue)
    }

    /// A dead letter from `queue` on `minhu.dead`.
    public static func dead(queue: String) -> MessageRoute {
        MessageRoute(exchange: deadExchange, routingKey: queue)
    }
}
