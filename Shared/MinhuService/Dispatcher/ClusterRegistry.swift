import Foundation
import Logging
import MinhuModels
import PostgresNIO

/// The dispatcher's clusters of similar appeals: an in-memory similarity index (built lazily from the recent
/// window of `cluster_members` on first use) whose local cluster numbers map to the cluster ids stored in
/// `clusters`, plus the database side of a join (membership, size, hotspot thresholds).
///
/// Invariants: the database is the truth for membership and for `hotspot_levels_emitted`; the index only decides
/// which cluster a new appeal joins. Several copies of the dispatcher each keep their own index, so two copies may
/// start two clusters for one matter (docs/dispatcher.md, "Limits").
public final class ClusterRegistry: @unchecked Sendable {
    /// What joining did.
    public struct Join: Sendable {
        public var clusterID: UUID
        /// Members within the hotspot window, oldest first.
        public var windowMembers: [UUID]
        /// Thresholds crossed now (not emitted before), ascending.
        public var newThresholds: [Int]
        public var title: String
        public var place: Place
        public var category: String?
        public var windowStart: Date
    }

    private let lock = NSLock()
    private var index: any DispatcherClusterIndexing
    private var clusterIDs: [Int: UUID] = [:]
    private var loaded = false
    public let window: TimeInterval

    public init(analyzer: any AppealTextAnalyzer, windowDays: Int) {
        window = TimeInterval(windowDays) * 86_400
        index = analyzer.makeClusterIndex(window: window)
    }

    /// Rebuilds the index from the members that joined within the window before `now` (once per process).
    public func loadIfNeeded(now: Date, on connection: PostgresConnection, logger: Logger) async throws {
        if locked({ loaded }) { return }
        let since = now.addingTimeInterval(-window)
        let rows = try await connection.query("""
            SELECT appeal_id, cluster_id, title, detail_excerpt, place_key, joined_at FROM cluster_members
            WHERE joined_at >= \(since) ORDER BY joined_at, appeal_id
            """, logger: logger)
        var members: [(UUID, UUID, String, String, String?, Date)] = []
        for try await row in rows.decode((UUID, UUID, String, String, String?, Date).self) { members.append(row) }
        locked {
            guard !loaded else { return }
            for (appeal, cluster, title, detail, place, time) in members {
                let number = index.add(id: appeal.uuidString, title: title, detail: detail, time: time, place: place)
                if clusterIDs[number] == nil { clusterIDs[number] = cluster }
            }
            loaded = true
        }
        logger.info("cluster index loaded", metadata: ["cluster.members": "\(members.count)"])
    }

    /// The cluster id the index gives the appeal (a new id when it starts a cluster).
    public func assign(appealID: UUID, title: String, detail: String, time: Date, placeKey: String?) -> UUID {
        locked {
            let number = index.add(id: appealID.uuidString, title: title, detail: detail, time: time, place: placeKey)
            if let id = clusterIDs[number] { return id }
            let id = UUID()
            clusterIDs[number] = id
            return id
        }
    }

    /// Records the membership in `clusters` / `cluster_members` (inside the caller's transaction), locking the
    /// cluster row, and returns the hotspot thresholds this join crosses; they are marked emitted in the same
    /// statement sequence, so the caller must emit them in this transaction.
    public func record(clusterID: UUID, appealID: UUID, caseNumber: String, title: String, detailExcerpt: String,
                       place: Place, category: String?, joinedAt: Date, thresholds: [Int], hotspotWindow: TimeInterval,
                       on connection: PostgresConnection, logger: Logger) async throws -> Join {
        let placeJSON = String(decoding: try MinhuJSON.encode(place), as: UTF8.self)
        try await connection.query("""
            INSERT INTO clusters (id, title, place, category, first_at, last_at, size)
            VALUES (\(clusterID), \(title), \(placeJSON)::jsonb, \(category), \(joinedAt), \(joinedAt), 0)
            ON CONFLICT (id) DO NOTHING
            """, logger: logger)
        let lockedRows = try await connection.query("""
            SELECT title, place::text, category, hotspot_levels_emitted FROM clusters WHERE id = \(clusterID) FOR UPDATE
            """, logger: logger)
        var current: (String, String, String?, [Int32])?
        for try await row in lockedRows.decode((String, String, String?, [Int32]).self) { current = row }
        guard let (clusterTitle, clusterPlace, existingCategory, emitted) = current else {
            throw DispatcherError("cluster \(clusterID) vanished")
        }
        try await connection.query("""
            INSERT INTO cluster_members (appeal_id, cluster_id, case_number, title, detail_excerpt, place_key, joined_at)
            VALUES (\(appealID), \(clusterID), \(caseNumber), \(title), \(detailExcerpt), \(place.clusterKey), \(joinedAt))
            ON CONFLICT (appeal_id) DO NOTHING
            """, logger: logger)
        let windowStart = joinedAt.addingTimeInterval(-hotspotWindow)
        let members = try await connection.query("""
            SELECT appeal_id FROM cluster_members WHERE cluster_id = \(clusterID) AND joined_at >= \(windowStart)
            ORDER BY joined_at, appeal_id
            """, logger: logger)
        var windowMembers: [UUID] = []
        for try await id in members.decode(UUID.self) { windowMembers.append(id) }
        let already = Set(emitted.map(Int.init))
        let crossed = thresholds.filter { $0 <= windowMembers.count && !already.contains($0) }
        let levels = (already.union(crossed)).sorted().map { Int32($0) }
        try await connection.query("""
            UPDATE clusters SET size = (SELECT count(*) FROM cluster_members WHERE cluster_id = \(clusterID)),
                first_at = least(first_at, \(joinedAt)), last_at = greatest(last_at, \(joinedAt)),
                category = coalesce(category, \(category)), hotspot_levels_emitted = \(levels), updated_at = now()
            WHERE id = \(clusterID)
            """, logger: logger)
        let decodedPlace = (try? MinhuJSON.decode(Place.self, from: Data(clusterPlace.utf8))) ?? place
        return Join(clusterID: clusterID, windowMembers: windowMembers, newThresholds: crossed, title: clusterTitle,
                    place: decodedPlace, category: existingCategory ?? category, windowStart: windowStart)
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
