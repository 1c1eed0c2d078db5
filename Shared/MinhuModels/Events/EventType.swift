import Foundation

/// Every event type of DESIGN §2; the raw value is the AMQP `type` and the routing key on `minhu.events`.
public enum EventType: String, CaseIterable, Codable, Sendable {
    case appealReceived = "appeal.received"
    case appealSupplemented = "appeal.supplemented"
    case appealClassified = "appeal.classified"
    case appealRejected = "appeal.rejected"
    case appealDispatched = "appeal.dispatched"
    case appealSigned = "appeal.signed"
    case appealReturned = "appeal.returned"
    case appealProgressed = "appeal.progressed"
    case appealAwaitingCitizen = "appeal.awaiting_citizen"
    case appealExtensionRequested = "appeal.extension_requested"
    case appealReplied = "appeal.replied"
    case hotspotDetected = "hotspot.detected"
    case deadlineWarning = "deadline.warning"
    case deadlineOverdue = "deadline.overdue"
    case deadlineChanged = "deadline.changed"
    case supervisionOpened = "supervision.opened"
    case supervisionEscalated = "supervision.escalated"
    case supervisionResolved = "supervision.resolved"
    case appealReopened = "appeal.reopened"
    case surveyRequested = "survey.requested"
    case evaluationRecorded = "evaluation.recorded"
    case appealDissatisfied = "appeal.dissatisfied"
    case appealClosed = "appeal.closed"
    case reportPublished = "report.published"

    /// The routing key on `minhu.events` (the raw value).
    public var routingKey: String { rawValue }

    /// The JSON Schema's name in `docs/messages/`, e.g. `event-appeal-received` (dots and underscores → dashes).
    public var schemaName: String {
        "event-" + rawValue.replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: "_", with: "-")
    }

    /// The payload type that carries this event.
    public var payloadType: any EventPayload.Type {
        switch self {
        case .appealReceived: AppealReceived.self
        case .appealSupplemented: AppealSupplemented.self
        case .appealClassified: AppealClassified.self
        case .appealRejected: AppealRejected.self
        case .appealDispatched: AppealDispatched.self
        case .appealSigned: AppealSigned.self
        case .appealReturned: AppealReturned.self
        case .appealProgressed: AppealProgressed.self
        case .appealAwaitingCitizen: AppealAwaitingCitizen.self
        case .appealExtensionRequested: AppealExtensionRequested.self
        case .appealReplied: AppealReplied.self
        case .hotspotDetected: HotspotDetected.self
        case .deadlineWarning: DeadlineWarning.self
        case .deadlineOverdue: DeadlineOverdue.self
        case .deadlineChanged: DeadlineChanged.self
        case .supervisionOpened: SupervisionOpened.self
        case .supervisionEscalated: SupervisionEscalated.self
        case .supervisionResolved: SupervisionResolved.self
        case .appealReopened: AppealReopened.self
        case .surveyRequested: SurveyRequested.self
        case .evaluationRecorded: EvaluationRecorded.self
        case .appealDissatisfied: AppealDissatisfied.self
        case .appealClosed: AppealClosed.self
        case .reportPublished: ReportPublished.self
        }
    }
}
