import Foundation

/// The parameters of `GET requests` and `GET servicerequestupdates`, checked: a window on a date column, paging
/// (`page` 1-based, `page_size` 1…1000, extensions of Minhu) and, for `requests`, the spec's filters.
public struct Open311RequestFilter: Sendable, Hashable {
    public static let maxWindow: TimeInterval = 90 * 86_400
    public static let maxPageSize = 1_000

    /// `service_request_id`: when given, the other filters are ignored (the spec).
    public var ids: [String]?
    public var serviceCodes: [String]?
    public var start: Date
    public var end: Date
    /// `status`: nil for both.
    public var closed: Bool?
    public var page: Int
    public var pageSize: Int

    public var offset: Int { (page - 1) * pageSize }

    /// `GET requests`: no dates means the last 90 days; one date extends 90 days from it; a wider window is a 400.
    public static func requests(_ form: Open311Form, now: Date, dates: Open311Dates) throws(Open311Error)
        -> Open311RequestFilter {
        let (page, pageSize) = try paging(form)
        var start = try date(form, "start_date", dates: dates)
        var end = try date(form, "end_date", dates: dates)
        switch (start, end) {
        case (nil, nil):
            end = now
            start = now.addingTimeInterval(-maxWindow)
        case (let from?, nil): end = from.addingTimeInterval(maxWindow)
        case (nil, let to?): start = to.addingTimeInterval(-maxWindow)
        case (let from?, let to?):
            if to < from { throw .badRequest("end_date: before start_date") }
            if to.timeIntervalSince(from) > maxWindow {
                throw .badRequest("end_date: the window from start_date to end_date is limited to 90 days")
            }
        }
        var closed: Bool?
        if let status = form.value("status") {
            let states = Set(list(status).map { $0.lowercased() })
            guard !states.isEmpty, states.isSubset(of: ["open", "closed"]) else {
                throw .badRequest("status: expected open, closed, or both comma-separated")
            }
            closed = states.count == 1 ? states.contains("closed") : nil
        }
        let ids = form.value("service_request_id").map(list)
        if let ids, ids.count > maxPageSize {
            throw .badRequest("service_request_id: at most \(maxPageSize) ids")
        }
        // Codes as they are stored ("017" is service 17, as POST records it).
        let codes = form.value("service_code").map { list($0).map { Int32($0).map { String($0) } ?? $0 } }
        return Open311RequestFilter(ids: ids, serviceCodes: codes,
                                    start: start ?? now, end: end ?? now, closed: closed, page: page,
                                    pageSize: pageSize)
    }

    /// `GET servicerequestupdates`: `start_date` defaults to 24 hours before `end_date`, `end_date` to now (a
    /// `start_date` in the future then finds nothing).
    public static func updates(_ form: Open311Form, now: Date, dates: Open311Dates) throws(Open311Error)
        -> Open311RequestFilter {
        let (page, pageSize) = try paging(form)
        let givenEnd = try date(form, "end_date", dates: dates)
        let end = givenEnd ?? now
        let start = try date(form, "start_date", dates: dates) ?? end.addingTimeInterval(-86_400)
        if givenEnd != nil, end < start { throw .badRequest("end_date: before start_date") }
        return Open311RequestFilter(ids: nil, serviceCodes: nil, start: start, end: end, closed: nil, page: page,
                                    pageSize: pageSize)
    }

    static func paging(_ form: Open311Form) throws(Open311Error) -> (Int, Int) {
        var page = 1
        var pageSize = maxPageSize
        if let text = form.value("page") {
            guard let value = Int(text), (1...1_000_000).contains(value) else {
                throw .badRequest("page: expected a whole number from 1")
            }
            page = value
        }
        if let text = form.value("page_size") {
            guard let value = Int(text), (1...maxPageSize).contains(value) else {
                throw .badRequest("page_size: expected a whole number from 1 to \(maxPageSize)")
            }
            pageSize = value
        }
        return (page, pageSize)
    }

    static func date(_ form: Open311Form, _ name: String, dates: Open311Dates) throws(Open311Error) -> Date? {
        guard let text = form.value(name) else { return nil }
        guard let date = dates.parse(text) else {
            throw .badRequest("\(name): expected an ISO 8601 date and time, e.g. 2026-11-22T09:30:00+08:00")
        }
        return date
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
