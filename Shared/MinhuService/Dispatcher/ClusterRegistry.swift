import Foundation
import Logging
import MinhuModels
import MinhuStorage
import MinhuText
import PostgresNIO

/// The dispatcher's clusters of similar appeals: an in-memory similarity index whose local cluster numbers map to
/// the cluster ids stored in `clusters`, plus the database side of a join (membership, size, hotspot thresholds).
///
/// Invariants: the database is the truth for membership and for `hotspot_levels_emitted`; the index only decides
/// which cluster a new appeal joins. Copies of the dispatcher agree on clusters: ``synchronize(now:on:logger:)``
/// takes the transaction-scoped advisory lock ``advisoryLockKey`` (so copies assign clusters one transaction at a
/// time) and adds the members other copies recorded since (`cluster_members.seq`) to the index, each into the
/// cluster the database names (docs/dispatcher.md, "Limits").
public final class ClusterRegistry: @unchecked Sendable {
    /// What joining did.
    public struct Join: Sendable {
        public var clusterID: UUID
        /// How many members the hotspot window holds, this appeal included.
        public var windowSize: Int
        /// Those members, oldest first; read only when a threshold is crossed (else empty).
        public var windowMembers: [UUID]
        /// The people among them: distinct citizen keys (a member without one counts as one); 0 when no threshold
        /// is crossed.
        public var windowPeople: Int
        /// Thresholds crossed now (not emitted before), ascending.
        public var newThresholds: [Int]
        public var title: String
        public var place: Place
        public var category: String?
        public var windowStart: Date
    }

    /// The `pg_advisory_xact_lock` key serialising cluster assignment across copies (ASCII "MHCLUSTR").
    public static let advisoryLockKey: Int64 = 0x4D48_434C_5553_5452

    private let lock = NSLock()
    private let analyzer: any AppealTextAnalyzer
    private var index: any DispatcherClusterIndexing
    private var clusterIDs: [Int: UUID] = [:]
    private var localNumbers: [UUID: Int] = [:]
    /// The highest `cluster_members.seq` read (or skipped); nil before the first load.
    private var lastSeq: Int64?
    /// Sequence numbers of rows this copy inserted and has not read back yet.
    private var ownSeqs: Set<Int64> = []
    /// Appeals placed in the index since the last ``synchronize(now:on:logger:)``, with the cluster each was placed
    /// in, whose transaction has not been seen to commit yet.
    private var unconfirmed: [(appeal: UUID, cluster: UUID)] = []
    public let window: TimeInterval
    /// The index is rebuilt from the window's members when it holds more than this many clusters and more than
    /// twice as many clusters as appeals in the window: the index keeps every cluster it ever started (with its
    /// members' titles, for a batch's listing), so a long-running copy would otherwise grow without bound.
    public let rebuildAbove: Int

    public init(analyzer: any AppealTextAnalyzer, windowDays: Int, rebuildAbove: Int = 50_000) {
        self.analyzer = analyzer
        window = TimeInterval(windowDays) * 86_400
        self.rebuildAbove = rebuildAbove
        index = analyzer.makeClusterIndex(window: window)
    }

    /// Clusters the in-memory index holds (expired ones included until the next rebuild).
    public var indexedClusters: Int { locked { index.clusterCount } }

    /// Appeals the in-memory index holds in its window.
    public var indexedAppeals: Int { locked { index.windowCount } }

    private typealias Member = (seq: Int64, appeal: UUID, cluster: UUID, title: String, detail: String,
                                place: String?, time: Date)

    /// Takes the advisory lock for the caller's transaction (call it before assigning clusters in it), then
    /// brings the index up to date: the first time with the members that joined within the window before `now`,
    /// afterwards with the members recorded since the last call (by `seq`), except this copy's own.
    public func synchronize(now: Date, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.guardedQuery("SELECT pg_advisory_xact_lock(\(Self.advisoryLockKey))", logger: logger)
        // The previous batch has ended (it held the lock). If it rolled back, the appeals it placed are in the index
        // but not in the database (or, redelivered to another copy, in another cluster), and this copy could put
        // later appeals into a cluster no one else knows: the index is rebuilt from the database instead.
        // (No copy places appeals while this one holds the lock, so the list is cleared once it has been checked.)
        // Only this copy's own rows count as confirmed: the same appeal recorded by another copy after this one's
        // batch rolled back (requeued, then taken there) is in the database under a seq this copy would also read
        // back, and the index would then hold it twice.
        let (placed, own) = locked { (unconfirmed, Array(ownSeqs)) }
        var rolledBack = 0
        if !placed.isEmpty {
            var recorded = 0
            for try await n in try await connection.guardedQuery("""
                SELECT count(*) FROM cluster_members m
                JOIN unnest(\(placed.map(\.appeal))::uuid[], \(placed.map(\.cluster))::uuid[]) AS p (appeal, cluster)
                    ON m.appeal_id = p.appeal AND m.cluster_id = p.cluster
                WHERE m.seq = ANY(\(own)::bigint[])
                """, logger: logger).decode(Int.self) { recorded = n }
            rolledBack = placed.count - recorded
            locked { unconfirmed = [] }
        }
        let rebuilt = locked { () -> (clusters: Int, live: Int)? in
            let clusters = index.clusterCount, live = index.windowCount
            guard rolledBack > 0 || (clusters > rebuildAbove && clusters > 2 * live) else { return nil }
            index = analyzer.makeClusterIndex(window: window)
            clusterIDs = [:]
            localNumbers = [:]
            lastSeq = nil
            ownSeqs = []
            return (clusters, live)
        }
        if let rebuilt {
            logger.info("cluster index rebuilt from the window", metadata: [
                "cluster.count": "\(rebuilt.clusters)", "cluster.window_appeals": "\(rebuilt.live)",
                "reason": "\(rolledBack > 0 ? "a batch rolled back after placing \(rolledBack) appeals" : "size")"])
        }
        let since = now.addingTimeInterval(-window)
        var members: [Member] = []
        let last: Int64
        if let seen = locked({ lastSeq }) {
            let rows = try await connection.guardedQuery("""
                SELECT seq, appeal_id, cluster_id, title, detail_excerpt, place_key, joined_at FROM cluster_members
                WHERE seq > \(seen) ORDER BY seq
                """, logger: logger)
            for try await row in rows.decode((Int64, UUID, UUID, String, String, String?, Date).self) {
                members.append(row)
            }
            last = members.last?.seq ?? seen
        } else {
            let top = try await connection.guardedQuery("SELECT coalesce(max(seq), 0) FROM cluster_members", logger: logger)
            var highest: Int64 = 0
            for try await value in top.decode(Int64.self) { highest = value }
            let rows = try await connection.guardedQuery("""
                SELECT seq, appeal_id, cluster_id, title, detail_excerpt, place_key, joined_at FROM cluster_members
                WHERE joined_at >= \(since) ORDER BY joined_at, appeal_id
                """, logger: logger)
            for try await row in rows.decode((Int64, UUID, UUID, String, String, String?, Date).self) {
                members.append(row)
            }
            last = highest
        }
        let loaded = locked { () -> (initial: Bool, added: Int) in
            let previous = lastSeq
            var added = 0
            for member in members where member.time >= since && member.seq > (previous ?? 0) {
                if ownSeqs.remove(member.seq) != nil { continue }
                let known = localNumbers[member.cluster]
                let number = index.add(id: member.appeal.uuidString, title: member.title, detail: member.detail,
                                       time: member.time, place: member.place,
                                       placement: known.map(SimilarityIndex.Placement.join) ?? .newCluster)
                if known == nil { map(number, to: member.cluster) }
                added += 1
            }
            lastSeq = max(previous ?? 0, last)
            ownSeqs = ownSeqs.filter { $0 > last }
            return (previous == nil, added)
        }
        if loaded.initial {
            logger.info("cluster index loaded", metadata: ["cluster.members": "\(loaded.added)",
                                                           "cluster.seq": "\(last)"])
        } else if !members.isEmpty {
            logger.debug("cluster index caught up", metadata: ["cluster.members": "\(loaded.added)",
                                                               "cluster.seq": "\(last)"])
        }
    }

    /// The cluster id the index gives the appeal (a new id when it starts a cluster).
    public func assign(appealID: UUID, title: String, detail: String, time: Date, placeKey: String?) -> UUID {
        locked {
            let number = index.add(id: appealID.uuidString, title: title, detail: detail, time: time, place: placeKey,
                                   placement: .nearest)
            let id = clusterIDs[number] ?? UUID()
            if clusterIDs[number] == nil { map(number, to: id) }
            unconfirmed.append((appealID, id))
            return id
        }
    }

    /// Links a local cluster number and a cluster id both ways (under `lock`).
    private func map(_ number: Int, to id: UUID) {
        clusterIDs[number] = id
        localNumbers[id] = number
    }

    /// Records the membership in `clusters` / `cluster_members` (inside the caller's transaction, after
    /// ``synchronize(now:on:logger:)``), locking the cluster row, and returns the hotspot thresholds this join
    /// crosses; they are marked emitted in the same statement sequence, so the caller must emit them in this
    /// transaction.
    public func record(clusterID: UUID, appealID: UUID, caseNumber: String, title: String, detailExcerpt: String,
                       place: Place, citizenKey: String?, category: String?, joinedAt: Date, thresholds: [Int],
                       hotspotWindow: TimeInterval, on connection: PostgresConnection, logger: Logger) async throws -> Join {
        let placeJSON = String(decoding: try MinhuJSON.encode(place), as: UTF8.self)
        try await connection.guardedQuery("""
            INSERT INTO clusters (id, title, place, category, first_at, last_at, size)
            VALUES (\(clusterID), \(title), \(placeJSON)::jsonb, \(category), \(joinedAt), \(joinedAt), 0)
            ON CONFLICT (id) DO NOTHING
            """, logger: logger)
        let lockedRows = try await connection.guardedQuery("""
            SELECT title, place::text, category, hotspot_levels_emitted FROM clusters WHERE id = \(clusterID) FOR UPDATE
            """, logger: logger)
        var current: (String, String, String?, [Int32])?
        for try await row in lockedRows.decode((String, String, String?, [Int32]).self) { current = row }
        guard let (clusterTitle, clusterPlace, existingCategory, emitted) = current else {
            throw DispatcherError("cluster \(clusterID) vanished")
        }
        let inserted = try await connection.guardedQuery("""
            INSERT INTO cluster_members (appeal_id, cluster_id, case_number, title, detail_excerpt, place_key, place,
                                         citizen_key, joined_at)
            VALUES (\(appealID), \(clusterID), \(caseNumber), \(title), \(detailExcerpt), \(place.clusterKey),
                    \(placeJSON)::jsonb, \(citizenKey), \(joinedAt))
            ON CONFLICT (appeal_id) DO NOTHING RETURNING seq
            """, logger: logger)
        var joined = 0
        for try await seq in inserted.decode(Int64.self) {
            joined += 1
            locked { _ = ownSeqs.insert(seq) }
        }
        let windowStart = joinedAt.addingTimeInterval(-hotspotWindow)
        // Most joins cross nothing: count the window (through the index on cluster_id, joined_at) and read its
        // members' titles, places and people only when a threshold is crossed, so that a cluster of thousands
        // (a district-wide water cut) does not send all of them over the wire at every join, under the lock.
        var windowSize = 0
        for try await n in try await connection.guardedQuery("""
            SELECT count(*) FROM cluster_members
            WHERE cluster_id = \(clusterID) AND joined_at >= \(windowStart) AND joined_at <= \(joinedAt)
            """, logger: logger).decode(Int.self) { windowSize = n }
        let already = Set(emitted.map(Int.init))
        let crossed = thresholds.filter { $0 <= windowSize && !already.contains($0) }
        let levels = (already.union(crossed)).sorted().map { Int32($0) }
        var windowMembers: [UUID] = []
        var windowTitles: [String] = []
        var windowPlaces: [(key: String?, json: String?)] = []
        var windowCitizens: [String?] = []
        if !crossed.isEmpty {
            let members = try await connection.guardedQuery("""
                SELECT appeal_id, title, place_key, place::text, citizen_key FROM cluster_members
                WHERE cluster_id = \(clusterID) AND joined_at >= \(windowStart) AND joined_at <= \(joinedAt)
                ORDER BY joined_at, appeal_id
                """, logger: logger)
            for try await (id, memberTitle, key, json, citizen)
                in members.decode((UUID, String, String?, String?, String?).self) {
                windowMembers.append(id)
                windowTitles.append(memberTitle)
                windowPlaces.append((key, json))
                windowCitizens.append(citizen)
            }
        }
        // A hotspot is shown with its most typical title, chosen again at each threshold crossed (until then the
        // cluster keeps its first member's title).
        let typicalTitle: String? = crossed.isEmpty ? nil : SimilarityIndex.representativeTitle(of: windowTitles)
        // And at the place most of the window's members name, when enough of them do (else the place stays).
        let typicalPlace: String? = crossed.isEmpty ? nil : Self.prevailingPlace(windowPlaces)
        try await connection.guardedQuery("""
            UPDATE clusters SET size = size + \(joined),
                first_at = least(first_at, \(joinedAt)), last_at = greatest(last_at, \(joinedAt)),
                category = coalesce(category, \(category)), hotspot_levels_emitted = \(levels),
                title = coalesce(\(typicalTitle), title), place = coalesce(\(typicalPlace)::jsonb, place),
                updated_at = now()
            WHERE id = \(clusterID)
            """, logger: logger)
        let decodedPlace = (try? MinhuJSON.decode(Place.self, from: Data((typicalPlace ?? clusterPlace).utf8))) ?? place
        return Join(clusterID: clusterID, windowSize: windowSize, windowMembers: windowMembers,
                    windowPeople: Self.people(windowCitizens),
                    newThresholds: crossed,
                    title: typicalTitle ?? clusterTitle,
                    place: decodedPlace, category: existingCategory ?? category, windowStart: windowStart)
    }

    /// The place (JSON) of the members' most frequent place key, when at least 30 % of `members` (and two) name
    /// it and one of them carries its whole place (`HotspotFinder.placeIsShared`, the rule `minhu hotspots` shows a
    /// place by); ties go to the key named first.
    public static func prevailingPlace(_ members: [(key: String?, json: String?)]) -> String? {
        var counts: [String: Int] = [:]
        var order: [String] = []
        var json: [String: String] = [:]
        for member in members {
            guard let key = member.key, !key.isEmpty else { continue }
            if counts[key] == nil { order.append(key) }
            counts[key, default: 0] += 1
            if json[key] == nil, let whole = member.json { json[key] = whole }
        }
        var best: (key: String, count: Int)?
        for key in order where best == nil || counts[key, default: 0] > best!.count { best = (key, counts[key, default: 0]) }
        guard let best, HotspotFinder.placeIsShared(count: best.count, members: members.count) else { return nil }
        return json[best.key]
    }

    /// The fewest digits a masked phone must keep to key a citizen: a mobile's mask keeps seven (`138****8001`).
    static let keyDigits = 7

    /// The people behind members with these citizen keys: the distinct keys, plus one for each member without one.
    public static func people(_ citizenKeys: [String?]) -> Int {
        Set(citizenKeys.compactMap { $0 }).count + citizenKeys.count { $0 == nil }
    }

    /// The key a member's citizen is counted by: the SHA-256 (hex, 16 digits) of the masked phone, so that the
    /// table holds no contact data; nil for an anonymous appeal, one without a phone, or one whose mask keeps fewer
    /// than `keyDigits` digits (a landline number without its area code keeps two, `****78`: a hundred keys for a
    /// whole city would merge strangers, so such callers count one each instead).
    public static func citizenKey(_ citizen: MaskedCitizen) -> String? {
        let phone = citizen.phone.trimmingCharacters(in: .whitespaces)
        guard !citizen.anonymous, phone.unicodeScalars.count(where: { (0x30...0x39).contains($0.value) }) >= keyDigits
        else { return nil }
        return String(SHA256.hexDigest(of: "minhu-citizen:" + phone).prefix(16))
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// An internal dispatcher failure (rolls the transaction back; the message is retried).
public struct DispatcherError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
