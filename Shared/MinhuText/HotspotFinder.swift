import Foundation

/// One appeal as the hotspot finder reads it.
public struct AppealRecord: Sendable {
    public var id: String
    public var title: String
    public var detail: String
    public var time: Date
    /// Likes (点赞数) and objections (反对数), when the source has them.
    public var likes: Int
    public var against: Int
    public init(id: String, title: String, detail: String, time: Date, likes: Int = 0, against: Int = 0) {
        self.id = id
        self.title = title
        self.detail = detail
        self.time = time
        self.likes = likes
        self.against = against
    }
}

/// A hot issue (热点问题): a cluster of similar appeals.
public struct Hotspot: Sendable, Codable, Equatable {
    public var title: String
    public var size: Int
    /// size + ln(1 + likes + objections) of the members, for `--weighted` ranking.
    public var weight: Double
    public var ids: [String]
    public var first: String
    public var last: String
    public var place: String?
}

/// Finds hot issues in a batch of appeals: sorts them by time, recognises each one's place, clusters them
/// with `SimilarityIndex`, and ranks the clusters.
public struct HotspotFinder: Sendable {
    public var options: SimilarityIndex.Options
    public var recognizer: PlaceRecognizer?

    public init(options: SimilarityIndex.Options = .init(), recognizer: PlaceRecognizer? = nil) {
        self.options = options
        self.recognizer = recognizer
    }

    /// The top hotspots, largest (or heaviest, when `weighted`) first.
    public func find(_ appeals: [AppealRecord], top: Int, weighted: Bool = false, minimumSize: Int = 2) -> [Hotspot] {
        var index = SimilarityIndex(options: options)
        let ordered = appeals.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        var byID: [String: AppealRecord] = [:]
        for a in ordered {
            byID[a.id] = a
            let places = recognizer?.recognize(a.title + "。" + a.detail.prefix(400))
            let specific = places.flatMap { $0.estate ?? $0.community ?? $0.road ?? $0.street }
            let label = places?.label
            index.add(id: a.id, title: a.title, detail: a.detail, time: a.time, place: specific ?? label)
            _ = label
        }
        var spots: [Hotspot] = index.clusters(minimumSize: minimumSize).map { c in
            let reactions = c.memberIDs.reduce(0) { $0 + (byID[$1].map { $0.likes + $0.against } ?? 0) }
            var place = c.place
            if let recognizer, let p = place {
                // Show the district with the place when the gazetteer knows it.
                let r = recognizer.recognize(p)
                if let d = r.district, !p.hasPrefix(d) { place = d + " " + p }
            }
            return Hotspot(title: c.representativeTitle, size: c.size,
                           weight: Double(c.size) + log(1 + Double(reactions)),
                           ids: c.memberIDs, first: AppealDate.iso8601(c.first), last: AppealDate.iso8601(c.last), place: place)
        }
        if weighted { spots.sort { ($0.weight, $1.first) > ($1.weight, $0.first) } }
        return Array(spots.prefix(top))
    }
}

/// Dates as the appeal files write them.
public enum AppealDate {
    /// Asia/Shanghai, the default jurisdiction zone.
    public static let zone = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!

    /// Parses `YYYY/M/D H:MM:SS`, `YYYY-MM-DD HH:MM:SS` (seconds and time optional) in `zone`.
    public static func parse(_ text: String) -> Date? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(whereSeparator: { $0 == " " || $0 == "T" })
        guard let datePart = parts.first else { return nil }
        let d = datePart.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." }).compactMap { Int($0) }
        guard d.count == 3 else { return nil }
        var t: [Int] = [0, 0, 0]
        if parts.count > 1 {
            let tt = parts[1].split(separator: ":").compactMap { Int($0.prefix(2)) }
            for (i, v) in tt.prefix(3).enumerated() { t[i] = v }
        }
        var c = DateComponents()
        c.year = d[0]; c.month = d[1]; c.day = d[2]; c.hour = t[0]; c.minute = t[1]; c.second = t[2]
        guard (1...12).contains(d[1]), (1...31).contains(d[2]) else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        return cal.date(from: c)
    }

    /// ISO 8601 with the zone's offset, e.g. `2019-08-23T12:22:00+08:00`.
    public static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = zone
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
