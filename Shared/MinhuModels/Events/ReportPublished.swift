import Foundation

/// A report was published (daily, weekly, monthly, the deputy ledger…).
///
/// Event `report.published` on `minhu.events`, published by minhu-reporting; schema
/// `docs/messages/event-report-published.schema.json`.
public struct ReportPublished: EventPayload, Hashable {
    public static let eventType = EventType.reportPublished
    public static let schemaVersion = 1

    /// The report.
    public var reportId: UUID
    /// Report kind, e.g. daily, monthly, deputy-ledger.
    public var kind: String
    /// Title (Chinese).
    public var title: String
    /// Start of the period covered.
    public var periodStart: Date
    /// End of the period covered (exclusive).
    public var periodEnd: Date
    /// Where to read it.
    public var url: URL?
    /// When it was published.
    public var occurredAt: Date

    public init(reportId: UUID, kind: String, title: String, periodStart: Date, periodEnd: Date, url: URL? = nil,
                occurredAt: Date) {
        self.reportId = reportId
        self.kind = kind
        self.title = title
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.url = url
        self.occurredAt = occurredAt
    }

    /// The correlation id: the report.
    public var correlationID: String? { reportId.uuidString }
}
