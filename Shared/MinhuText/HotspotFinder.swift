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
    /// Who wrote it (the source's user or citizen id; empty when unknown).
    public var user: String
    public init(id: String, title: String, detail: String, time: Date, likes: Int = 0, against: Int = 0, user: String = "") {
        self.id = id
        self.title = title
        self.detail = detail
        self.time = time
        self.likes = likes
        self.against = against
        self.user = user
    }
}

/// How hot issues are ranked.
public enum HotspotRanking: String, Sendable, CaseIterable {
    /// By the number of people who raised the matter (distinct users; an appeal without a user counts as one
    /// person), then by size: one citizen's thirty messages are not a hot issue.
    case people
    /// By the number of appeals.
    case size
    /// By people + ln(1 + likes + objections of the members).
    case weighted
}

/// A hot issue (热点问题): a cluster of similar appeals.
public struct Hotspot: Sendable, Codable, Equatable {
    public var title: String
    public var size: Int
    /// The people who raised it: distinct users of the members (a member without a user counts as one).
    public var people: Int
    /// people + ln(1 + likes + objections) of the members, for the `weighted` ranking.
    public var weight: Double
    public var ids: [String]
    public var first: String
    public var last: String
    public var place: String?

    enum CodingKeys: String, CodingKey { case title, size, people, weight, ids, first, last, place }

    /// Encodes every key, `place` as null when unknown.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(title, forKey: .title)
        try c.encode(size, forKey: .size)
        try c.encode(people, forKey: .people)
        try c.encode(weight, forKey: .weight)
        try c.encode(ids, forKey: .ids)
        try c.encode(first, forKey: .first)
        try c.encode(last, forKey: .last)
        try c.encode(place, forKey: .place)
    }
}

/// Finds hot issues in a batch of appeals: sorts them by time, recognises each one's place, clusters them
/// with `SimilarityIndex`, and ranks the clusters.
public struct HotspotFinder: Sendable {
    public var options: SimilarityIndex.Options
    public var recognizer: PlaceRecognizer?
    /// Clusters whose title centroids (TF-IDF of title bigrams) are at least this similar are merged after
    /// the incremental pass: one matter asked about in different words ends up in one hotspot.
    public var mergeThreshold: Float = 0.4

    public init(options: SimilarityIndex.Options = .init(), recognizer: PlaceRecognizer? = nil) {
        self.options = options
        self.recognizer = recognizer
    }

    /// True when `count` of a hotspot's `members` naming a place is enough to show it there: at least two, and at
    /// least 30 % of them. The live dispatcher shows a hotspot's place by the same rule.
    public static func placeIsShared(count: Int, members: Int) -> Bool { count >= 2 && count * 10 >= members * 3 }

    /// The top hotspots in the order `ranking` gives (ties: the larger, then the earlier first).
    public func find(_ appeals: [AppealRecord], top: Int, ranking: HotspotRanking = .people, minimumSize: Int = 2) -> [Hotspot] {
        var index = SimilarityIndex(options: options)
        let ordered = appeals.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
        // The index knows each appeal by its row, so repeated or empty ids in a file still count every appeal.
        for (row, a) in ordered {
            let places = recognizer?.recognize(title: a.title, detail: a.detail)
            let specific = places.flatMap { $0.estate ?? $0.community ?? $0.road ?? $0.street }
            let regions = places?.regions
                ?? RegionCodes.find(in: a.title + "。" + a.detail.prefix(400)) + RegionCodes.districts(in: a.title)
            index.add(id: String(row), title: a.title, detail: a.detail, time: a.time, place: specific ?? places?.district,
                      regions: regions)
        }
        var ranked = Self.merge(index.clusters(minimumSize: 2), threshold: mergeThreshold,
                                matterThreshold: options.matterThreshold)
            .filter { $0.size >= minimumSize }
            .map { c in
                let members = c.memberIDs.compactMap { Int($0).map { appeals[$0] } }
                // Negative counts are read as none; a sum in Double cannot overflow.
                let reactions = members.reduce(0.0) { $0 + Double(max(0, $1.likes)) + Double(max(0, $1.against)) }
                let users = Set(members.map(\.user).filter { !$0.isEmpty })
                let people = users.count + members.count { $0.user.isEmpty }
                return (cluster: c, ids: members.map(\.id), people: people, weight: Double(people) + log(1 + reactions))
            }
        ranked.sort { ($0.cluster.size, $1.cluster.first) > ($1.cluster.size, $0.cluster.first) }
        switch ranking {
        case .size: break
        case .people: ranked.sort { ($0.people, $0.cluster.size, $1.cluster.first) > ($1.people, $1.cluster.size, $0.cluster.first) }
        case .weighted: ranked.sort { ($0.weight, $1.cluster.first) > ($1.weight, $0.cluster.first) }
        }
        // Titles, places and dates only for the clusters listed.
        return ranked.prefix(max(0, top)).map { c, ids, people, weight in
            // A place is reported only when a fair share of the members name it.
            var place = c.place.flatMap { p in Self.placeIsShared(count: c.placeCounts[p] ?? 0, members: c.size) ? p : nil }
            if let recognizer, let p = place {
                // Show the district with the place when the gazetteer knows it.
                let r = recognizer.recognize(p)
                if let d = r.district, !p.hasPrefix(d) { place = d + " " + p }
            }
            return Hotspot(title: c.representativeTitle, size: c.size, people: people, weight: weight,
                           ids: ids, first: AppealDate.iso8601(c.first), last: AppealDate.iso8601(c.last), place: place)
        }
    }
}

extension HotspotFinder {
    /// Greedy centroid merging of clusters by title similarity (largest clusters first): each cluster in turn
    /// absorbs the first later cluster whose title centroid is at least `threshold` similar to its own, until none
    /// is. Candidates come from an inverted index over the centroids' bigrams, so clusters that share no title
    /// bigram are never compared. A candidate also needs `matterThreshold` without the two clusters' places
    /// (`PlaceGrams`): one estate's cracked floors and its parking sales share the estate's name, not a matter.
    static func merge(_ clusters: [SimilarityIndex.Cluster], threshold: Float,
                      matterThreshold: Float = 0) -> [SimilarityIndex.Cluster] {
        guard clusters.count > 1, threshold < 1 else { return clusters }
        var list = clusters.sorted { ($0.size, $1.first) > ($1.size, $0.first) }
        var tfs: [[UInt64: Float]] = list.map { c in
            var tf: [UInt64: Float] = [:]
            for t in c.titles { for g in Set(SimilarityIndex.bigrams(TextNormalizer.scalars(t, limit: 200))) { tf[g, default: 0] += 1 } }
            return tf
        }
        var df: [UInt64: Float] = [:]
        var titleCount: Float = 0
        for c in list { titleCount += Float(c.titles.count) }
        for tf in tfs { for (g, n) in tf { df[g, default: 0] += n } }
        func centroid(_ tf: [UInt64: Float], members: Int) -> [UInt64: Float] {
            var v: [UInt64: Float] = [:]
            var norm: Float = 0
            for (g, n) in tf {
                let w = (n / Float(members)) * logf((titleCount + 1) / ((df[g] ?? 0) + 1))
                v[g] = w
                norm += w * w
            }
            norm = norm.squareRoot()
            if norm > 0 { for (g, w) in v { v[g] = w / norm } }
            return v
        }
        var cents = zip(tfs, list).map { centroid($0.0, members: $0.1.titles.count) }
        /// The place grams of `place` in the first 50 titles of cluster `index` (of `cluster`), computed once per
        /// cluster, place and number of titles read: a large cluster meets many candidates, and the grams of a
        /// place in two clusters' titles are the union of its grams in each.
        struct PlaceGramKey: Hashable { var cluster: Int, titlesRead: Int, place: String }
        var placeGramCache: [PlaceGramKey: Set<UInt64>] = [:]
        func placeGrams(_ place: String, in cluster: SimilarityIndex.Cluster, _ index: Int) -> Set<UInt64> {
            let read = min(50, cluster.titles.count)
            let key = PlaceGramKey(cluster: index, titlesRead: read, place: place)
            if let known = placeGramCache[key] { return known }
            let texts = cluster.titles.prefix(read).map { TextNormalizer.scalars($0, limit: 200) }
            let grams = PlaceGrams(place: place, texts: texts).grams
            placeGramCache[key] = grams
            return grams
        }
        /// The cosine of two clusters' title centroids without the place grams of either cluster's places.
        func matterCosine(_ a: SimilarityIndex.Cluster, _ ia: Int, _ ta: [UInt64: Float],
                          _ b: SimilarityIndex.Cluster, _ ib: Int, _ tb: [UInt64: Float]) -> Float {
            var excluded = Set<UInt64>()
            for place in Set(a.placeCounts.keys).union(b.placeCounts.keys) {
                excluded.formUnion(placeGrams(place, in: a, ia))
                excluded.formUnion(placeGrams(place, in: b, ib))
            }
            guard !excluded.isEmpty else { return 1 }
            let ca = centroid(ta.filter { !excluded.contains($0.key) }, members: a.titles.count)
            let cb = centroid(tb.filter { !excluded.contains($0.key) }, members: b.titles.count)
            return ca.reduce(Float(0)) { $0 + $1.value * (cb[$1.key] ?? 0) }
        }
        // Bigram → (cluster, weight). A cluster's centroid changes only while it is the one absorbing, after
        // which it is never a candidate again, so the postings stay valid for every cluster still waiting.
        var postings: [UInt64: [(cluster: Int, weight: Float)]] = [:]
        for (j, v) in cents.enumerated() { for (g, w) in v where w > 0 { postings[g, default: []].append((j, w)) } }
        var alive = [Bool](repeating: true, count: list.count)
        var dots = [Float](repeating: 0, count: list.count)
        var touched: [Int] = []
        for i in 0..<list.count where alive[i] {
            while true {
                touched.removeAll(keepingCapacity: true)
                for (g, w) in cents[i] {
                    for (j, x) in postings[g] ?? [] where j > i && alive[j] {
                        if dots[j] == 0 { touched.append(j) }
                        dots[j] += w * x
                    }
                }
                var next: Int?
                touched.sort()
                for j in touched {
                    if next == nil && dots[j] >= threshold && !RegionCodes.conflict(list[i].regions, list[j].regions)
                        && (matterThreshold <= 0
                            || matterCosine(list[i], i, tfs[i], list[j], j, tfs[j]) >= matterThreshold) { next = j }
                    dots[j] = 0
                }
                guard let j = next else { break }
                list[i].memberIDs += list[j].memberIDs
                list[i].titles += list[j].titles
                list[i].first = min(list[i].first, list[j].first)
                list[i].last = max(list[i].last, list[j].last)
                list[i].placeCounts.merge(list[j].placeCounts, uniquingKeysWith: +)
                list[i].regions = Array(Set(list[i].regions + list[j].regions)).sorted()
                tfs[i].merge(tfs[j], uniquingKeysWith: +)
                cents[i] = centroid(tfs[i], members: list[i].titles.count)
                alive[j] = false
            }
        }
        return zip(list, alive).filter(\.1).map(\.0)
    }
}

/// Dates as the appeal files write them.
public enum AppealDate {
    /// Asia/Shanghai, the default jurisdiction zone.
    public static let zone = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!

    /// Parses `YYYY/M/D H:MM:SS`, `YYYY-MM-DD HH:MM:SS`, `YYYY.M.D` and `YYYY年M月D日 H时MM分` (seconds and time
    /// optional, fractions of a second ignored, 上午 / 下午 before the time read; ISO 8601's `T` is read, its offset
    /// is not) in `zone`. A date that does not exist (2019-02-30), a year of fewer than four digits or before 1901,
    /// or a time that is not one (25:00, 下午7点半) is nil: unreadable, rather than another day.
    public static func parse(_ text: String) -> Date? {
        var plain = text.trimmingCharacters(in: .whitespaces)
        if plain.contains("年") {
            for (from, to) in [("年", "-"), ("月", "-"), ("日", " "), ("时", ":"), ("点", ":"), ("分", ":"), ("秒", "")] {
                plain = plain.replacingOccurrences(of: from, with: to)
            }
        }
        let parts = plain.split(whereSeparator: { $0 == " " || $0 == "T" })
        guard let datePart = parts.first else { return nil }
        let d = datePart.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." }).compactMap { Int($0) }
        // From 1901: before it the zone's offset is local mean time (+08:05:43), which ISO 8601 cannot write.
        guard d.count == 3, (1901...9999).contains(d[0]), (1...12).contains(d[1]), (1...31).contains(d[2]) else { return nil }
        var t: [Int] = [0, 0, 0]
        if parts.count > 1 {
            guard let time = clockTime(String(parts[1...].joined(separator: " "))) else { return nil }
            t = time
        }
        var c = DateComponents()
        c.year = d[0]; c.month = d[1]; c.day = d[2]; c.hour = t[0]; c.minute = t[1]; c.second = t[2]
        guard let date = calendar.date(from: c),
              calendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: d[0], month: d[1], day: d[2])
        else { return nil }
        return date
    }

    /// [hour, minute, second] of `H:MM[:SS[.fff]]`, optionally after 上午 or 下午; nil when it is not a time of day.
    static func clockTime(_ text: String) -> [Int]? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var afternoon = false
        if rest.hasPrefix("上午") { rest = rest.dropFirst(2) } else if rest.hasPrefix("下午") { rest = rest.dropFirst(2); afternoon = true }
        if rest.hasSuffix("Z") { rest = rest.dropLast() }
        if let offset = rest.firstIndex(where: { $0 == "+" || $0 == "-" }) { rest = rest[..<offset] }  // ISO 8601's
        var fields = rest.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if fields.last == "" { fields.removeLast() }  // "19时52分" was read as "19:52:"
        if let last = fields.last, fields.count == 3, let dot = last.firstIndex(of: ".") { fields[2] = String(last[..<dot]) }
        let numbers = fields.map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...3).contains(numbers.count), numbers.allSatisfy({ $0 != nil }) else { return nil }
        var t = numbers.map { $0! } + Array(repeating: 0, count: 3 - numbers.count)
        if afternoon && t[0] < 12 { t[0] += 12 }
        guard (0...23).contains(t[0]), (0...59).contains(t[1]), (0...59).contains(t[2]) else { return nil }
        return t
    }

    /// ISO 8601 with the zone's offset, e.g. `2019-08-23T12:22:00+08:00` (no formatter is created per call).
    public static func iso8601(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = zone.secondsFromGMT(for: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0,
                      c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
            + (offset < 0 ? "-" : "+") + String(format: "%02d:%02d", abs(offset) / 3600, abs(offset) % 3600 / 60)
    }

    /// The Gregorian calendar in `zone`.
    static let calendar: Calendar = {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        return cal
    }()
}
