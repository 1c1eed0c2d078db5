import Foundation

/// Incremental clustering of similar appeals (同源诉求) over a sliding time window.
///
/// Each appeal becomes a TF-IDF vector of character bigrams of its title (weighted `titleWeight`) and of the
/// start of its detail, plus a token for its place. An inverted index over the window's appeals finds
/// candidates through the query's heaviest bigrams, newest appeals first (at most `maxScannedPostings` postings are
/// read, so a join never scans the window); the best candidate by cosine similarity above
/// `threshold` gives its cluster, provided that without the place (its token and name) the appeals are still
/// similar (`matterThreshold`): one place does not make one matter. When no appeal is similar enough, the title is compared with the title
/// centroids of the candidates' clusters (`centroidThreshold`): an appeal worded unlike any single member still
/// joins the matter its members' titles share. Appeals that name different cities or districts (`regions`, see
/// `RegionCodes`) never join each other, nor a cluster whose members name other ones only (so no member that names
/// none links two districts' matters). Else the appeal starts a
/// new cluster. Appeals older than `window` before the newest leave the index (their clusters keep them).
///
/// ```swift
/// var index = SimilarityIndex()
/// let c = index.add(id: "1", title: "丽发新城附近搅拌站噪音扰民", detail: "…", time: Date(), place: "丽发新城")
/// let top = index.clusters(minimumSize: 2).prefix(5)
/// ```
public struct SimilarityIndex: Sendable {
    public struct Options: Sendable {
        /// Cosine similarity needed to join a cluster.
        public var threshold: Float = 0.22
        public var window: TimeInterval = 180 * 86_400
        public var titleWeight: Float = 3
        public var placeWeight: Float = 3
        /// Characters of the detail that count.
        public var detailChars: Int = 160
        /// Query bigrams used to find candidates: those that weigh most in the query.
        public var probeGrams: Int = 24
        /// Postings read at most per join: the probes are read heaviest first, each newest appeal first, until this
        /// many are read. It bounds the cost of a join whatever the window holds, and a common bigram (such as
        /// the words of a large hotspot) still finds its most recent appeals.
        public var maxScannedPostings: Int = 4_000
        /// Candidates scored exactly.
        public var candidates: Int = 16
        /// Titles alone this similar also join (short titles about one matter with different details).
        public var titleThreshold: Float = 0.45
        /// Cosine between the title and a cluster's title centroid (TF-IDF of the members' title bigrams) that
        /// also joins, when no single appeal is similar enough (1 = never). Only clusters of at least two members
        /// among the candidates' clusters are compared.
        public var centroidThreshold: Float = 0.35
        /// Candidate clusters compared by centroid at most (the best by their best member's score).
        public var centroidClusters: Int = 4
        /// The similarity without the place (its token and the bigrams of its name) that a join also needs, so
        /// that two appeals about different matters at one place ("丽发新城小区停车难", "丽发新城附近搅拌站扰民")
        /// stay apart (0 = no such check). It applies to the cosine and to the title-only cosine alike.
        public var matterThreshold: Float = 0.08
        /// An appeal whose words are all its place ("丽发新城", nothing about a matter) has no matter to compare, so
        /// it joins only a copy: an appeal as bare, at least this similar (a message sent again).
        public var copyThreshold: Float = 0.95
        public init() {}
    }

    /// A cluster of similar appeals.
    public struct Cluster: Sendable, Equatable {
        public var id: Int
        public var memberIDs: [String]
        public var titles: [String]
        public var first: Date
        public var last: Date
        public var placeCounts: [String: Int]
        /// The cities the members name (the union, sorted).
        public var regions: [String] = []
        public var size: Int { memberIDs.count }
        /// The most frequent place of the members.
        public var place: String? {
            placeCounts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        }
        /// The member title most similar to the others (see `SimilarityIndex.representativeTitle(of:)`).
        public var representativeTitle: String { SimilarityIndex.representativeTitle(of: titles) }
    }

    /// Of `titles` (the first 200), the one most similar to the others by character-bigram Dice coefficient:
    /// the title a hotspot is shown with.
    public static func representativeTitle(of titles: [String]) -> String {
        let sample = Array(titles.prefix(200))
        guard sample.count > 2 else { return sample.first ?? "" }
        let grams = sample.map { Set(bigrams(TextNormalizer.scalars($0))) }
        var best = 0
        var bestScore = -1.0
        for i in 0..<grams.count {
            var total = 0.0
            for j in 0..<grams.count where j != i {
                let inter = grams[i].intersection(grams[j]).count
                let denom = grams[i].count + grams[j].count
                total += denom > 0 ? 2 * Double(inter) / Double(denom) : 0
            }
            if total > bestScore { bestScore = total; best = i }
        }
        return sample[best]
    }

    struct GramEntry: Sendable {
        var df: Int32 = 0
        var postings: [Int] = []

        mutating func record(_ seq: Int) {
            df += 1
            postings.append(seq)
        }
    }

    struct Doc: Sendable {
        var grams: [UInt64]     // sorted
        var weights: [Float]    // L2-normalised
        var titleGrams: [UInt64]
        var titleWeights: [Float]
        /// The norms of `weights` and `titleWeights` without the appeal's own place grams.
        var matterNorm: Float
        var titleMatterNorm: Float
        /// The cities the appeal names (`RegionCodes`), usually none or one.
        var regions: [String]
        var cluster: Int
        var time: Date
    }

    /// Where `add` puts an appeal.
    public enum Placement: Sendable, Hashable {
        /// The cluster of the most similar appeal above the threshold, else a new cluster.
        case nearest
        /// The existing cluster with this id (`cluster(_:)` must know it).
        case join(Int)
        /// A new cluster.
        case newCluster
    }

    public var options: Options
    private var docs: [Doc] = []
    private var head = 0                 // docs[..<head] expired
    private var baseSeq = 0              // sequence number of docs[0]
    /// Per bigram: how many live appeals hold it, and the sequence numbers of the appeals that did (expired ones
    /// are dropped at compaction). One dictionary, so a join looks each bigram up once to weigh it and once to
    /// record it.
    private var grams: [UInt64: GramEntry] = [:]
    private var clusterList: [Cluster] = []
    private var centroids: [TitleCentroid] = []
    private var scratch: [Float] = []
    private var touched: [Int] = []

    public init(options: Options = Options()) { self.options = options }

    /// Appeals currently in the window.
    public var windowCount: Int { docs.count - head }

    /// Clusters ever started, expired ones included (a batch lists them all; a long-running caller rebuilds).
    public var clusterCount: Int { clusterList.count }

    /// Adds an appeal and returns the id of the cluster it joined or started (`placement` decides which).
    @discardableResult
    public mutating func add(id: String, title: String, detail: String, time: Date, place: String?,
                             regions: [String] = [], placement: Placement = .nearest) -> Int {
        expire(before: time.addingTimeInterval(-options.window))
        let titleScalars = TextNormalizer.scalars(title, limit: 200)
        let detailScalars = TextNormalizer.scalars(detail, limit: options.detailChars)
        let terms = Self.terms(title: titleScalars, detail: detailScalars, place: place, options: options)
        let live = Double(windowCount)
        // Query weights with the current IDF (one lookup per bigram; the document frequencies are kept for the
        // probes).
        var weighted: [(gram: UInt64, weight: Float, idf: Float, df: Int32)] = terms.map { (g, tf) in
            let df = grams[g]?.df ?? 0
            let idf = Self.idf(df: df, live: live)
            return (g, tf * idf, idf, df)
        }
        weighted.sort { $0.gram < $1.gram }
        let qNorm = weighted.reduce(0) { $0 + $1.weight * $1.weight }.squareRoot()
        let q: [(UInt64, Float)] = weighted.map { ($0.gram, qNorm > 0 ? $0.weight / qNorm : $0.weight) }
        // Title bigrams are among the terms: their IDF is found by binary search, not looked up again.
        var tq: [(UInt64, Float)] = Self.bigramSet(titleScalars).map { g in
            (g, Self.find(g, in: weighted).map { weighted[$0].idf } ?? Self.idf(df: 0, live: live))
        }
        let tNorm = tq.reduce(0) { $0 + $1.1 * $1.1 }.squareRoot()
        if tNorm > 0 { tq = tq.map { ($0.0, $0.1 / tNorm) } }
        tq.sort { $0.0 < $1.0 }
        let placeGrams = PlaceGrams(place: place, texts: [titleScalars, detailScalars])
        let matter = (full: placeGrams.matter(of: q), title: placeGrams.matter(of: tq))

        var joined: Int?
        switch placement {
        case .nearest:
            if windowCount > 0 && !q.isEmpty,
               let match = bestMatch(q, tq, matter: matter, regions: regions, dfs: weighted.map(\.df)) {
                if let seq = match.seq {
                    joined = docs[seq - baseSeq].cluster
                } else {
                    let sameCity = match.clusters.filter { !RegionCodes.conflict(regions, clusterList[$0].regions) }
                    joined = bestCentroid(matter.title, among: sameCity, live: live)
                }
            }
        case .join(let existing):
            precondition(existing >= 0 && existing < clusterList.count, "no cluster \(existing) to join")
            joined = existing
        case .newCluster:
            joined = nil
        }
        let cluster: Int
        if let joined {
            cluster = joined
            clusterList[cluster].memberIDs.append(id)
            clusterList[cluster].titles.append(title)
            clusterList[cluster].first = min(clusterList[cluster].first, time)
            clusterList[cluster].last = max(clusterList[cluster].last, time)
        } else {
            cluster = clusterList.count
            clusterList.append(Cluster(id: cluster, memberIDs: [id], titles: [title], first: time, last: time, placeCounts: [:]))
            centroids.append(TitleCentroid())
        }
        centroids[cluster].add(tq.map(\.0))
        if let place, !place.isEmpty { clusterList[cluster].placeCounts[place, default: 0] += 1 }
        for r in regions where !clusterList[cluster].regions.contains(r) {
            clusterList[cluster].regions.append(r)
            clusterList[cluster].regions.sort()
        }

        let seq = baseSeq + docs.count
        docs.append(Doc(grams: q.map(\.0), weights: q.map(\.1), titleGrams: tq.map(\.0), titleWeights: tq.map(\.1),
                        matterNorm: matter.full.norm, titleMatterNorm: matter.title.norm, regions: regions,
                        cluster: cluster, time: time))
        for (g, _) in q {
            grams[g, default: GramEntry()].record(seq)
        }
        return cluster
    }

    /// Clusters with at least `minimumSize` members, largest first (ties: earliest first).
    public func clusters(minimumSize: Int = 1) -> [Cluster] {
        clusterList.filter { $0.size >= minimumSize }.sorted { ($0.size, $1.first) > ($1.size, $0.first) }
    }

    /// The cluster with a given id.
    public func cluster(_ id: Int) -> Cluster? { id >= 0 && id < clusterList.count ? clusterList[id] : nil }

    private static func idf(df: Int32, live: Double) -> Float {
        Float(log((live + 1) / (Double(df) + 1)) + 1)
    }

    /// The index of `gram` in `sorted` (sorted by gram), if present.
    private static func find(_ gram: UInt64, in sorted: [(gram: UInt64, weight: Float, idf: Float, df: Int32)]) -> Int? {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid].gram < gram { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low].gram == gram ? low : nil
    }

    /// The outcome of a candidate search: the most similar appeal that is similar enough (with and without the
    /// place), if any, and the clusters of the candidates, best first.
    struct Match {
        var seq: Int?
        var clusters: [Int]
    }

    /// The best candidate for the query `q` (sorted by gram, with the live document frequencies `dfs` in the
    /// same order), its title part `tq` and their parts without the place, with the candidates' clusters. A
    /// candidate naming other cities or districts than `regions`, or whose cluster does, does not join.
    private mutating func bestMatch(_ q: [(UInt64, Float)], _ tq: [(UInt64, Float)],
                                    matter: (full: PlaceGrams.Part, title: PlaceGrams.Part), regions: [String],
                                    dfs: [Int32]) -> Match? {
        // Probe with the grams that weigh most in the query (tf × idf: a title's bigrams count `titleWeight`
        // times), each held by at least one live appeal. Rarest first (until 2026-11-24) missed the matter: a long
        // detail has dozens of bigrams rarer than its title's 搅拌站, found only in unrelated appeals.
        var probes: [(UInt64, Float)] = []
        for ((g, w), n) in zip(q, dfs) where n > 0 {
            probes.append((g, w))
        }
        probes.sort { ($1.1, $0.0) < ($0.1, $1.0) }
        if probes.count > options.probeGrams { probes.removeLast(probes.count - options.probeGrams) }
        if scratch.count < docs.count { scratch.append(contentsOf: repeatElement(0, count: docs.count - scratch.count)) }
        touched.removeAll(keepingCapacity: true)
        let firstLive = baseSeq + head
        var budget = options.maxScannedPostings
        for (g, w) in probes {
            guard budget > 0 else { break }
            guard let list = grams[g]?.postings else { continue }
            var k = list.count - 1
            while k >= 0 && budget > 0 {
                let seq = list[k]
                if seq < firstLive { break }
                let slot = seq - baseSeq
                if scratch[slot] == 0 { touched.append(slot) }
                scratch[slot] += w
                k -= 1
                budget -= 1
            }
        }
        guard !touched.isEmpty else { return nil }
        // Top candidates by partial score: one pass with a small sorted buffer (no full sort).
        var top: [Int] = []
        top.reserveCapacity(options.candidates + 1)
        for slot in touched {
            let v = scratch[slot]
            if top.count == options.candidates, let last = top.last, scratch[last] >= v { continue }
            var pos = top.count
            while pos > 0 && scratch[top[pos - 1]] < v { pos -= 1 }
            top.insert(slot, at: pos)
            if top.count > options.candidates { top.removeLast() }
        }
        for slot in touched { scratch[slot] = 0 }
        let scale = options.threshold / options.titleThreshold
        var scored: [(slot: Int, similarity: Float, joins: Bool)] = top.map { slot in
            let d = docs[slot]
            let similarity = max(Self.dot(q, d.grams, d.weights), Self.dot(tq, d.titleGrams, d.titleWeights) * scale)
            guard similarity >= options.threshold else { return (slot, similarity, false) }
            guard !RegionCodes.conflict(regions, d.regions),
                  !RegionCodes.conflict(regions, clusterList[d.cluster].regions) else { return (slot, similarity, false) }
            guard options.matterThreshold > 0 else { return (slot, similarity, true) }
            if matter.full.norm == 0 || d.matterNorm == 0 {
                // Nothing but the place on one side: only a bare copy joins.
                let bothBare = matter.full.norm == 0 && d.matterNorm == 0
                return (slot, similarity, bothBare && similarity >= options.copyThreshold)
            }
            // Without the place, the same test must still pass at `matterThreshold`.
            let matterFull = matter.full.cosine(d.grams, d.weights, norm: d.matterNorm)
            let matterTitle = matter.title.cosine(d.titleGrams, d.titleWeights, norm: d.titleMatterNorm) * scale
            return (slot, similarity, max(matterFull, matterTitle) >= options.matterThreshold)
        }
        // The best that joins is the first of the highest (the candidates are in partial-score order).
        var best: (slot: Int, similarity: Float, joins: Bool)?
        for s in scored where s.joins && (best == nil || s.similarity > best!.similarity) { best = s }
        scored.sort { $0.similarity > $1.similarity }
        var clusters: [Int] = []
        for s in scored where !clusters.contains(docs[s.slot].cluster) { clusters.append(docs[s.slot].cluster) }
        return Match(seq: best.map { $0.slot + baseSeq }, clusters: clusters)
    }

    /// Of `candidates` (clusters, best first), the one whose title centroid is most similar to the title without
    /// its place, `title` (weights normalised over the whole title, so a title that is mostly its place counts
    /// less), if at least `centroidThreshold`; at most `centroidClusters` clusters of two or more members are
    /// compared.
    private mutating func bestCentroid(_ title: PlaceGrams.Part, among candidates: [Int], live: Double) -> Int? {
        guard options.centroidThreshold < 1, title.norm > 0 else { return nil }
        let idf = { [grams] (g: UInt64) in Self.idf(df: grams[g]?.df ?? 0, live: live) }
        var best: (cluster: Int, cosine: Float)?
        var compared = 0
        for c in candidates where centroids[c].titles >= 2 && compared < options.centroidClusters {
            compared += 1
            let cosine = centroids[c].cosine(title.vector, idf: idf)
            if cosine >= options.centroidThreshold && (best == nil || cosine > best!.cosine) { best = (c, cosine) }
        }
        return best?.cluster
    }

    static func dot(_ q: [(UInt64, Float)], _ grams: [UInt64], _ weights: [Float]) -> Float {
        var i = 0, j = 0, s: Float = 0
        while i < q.count && j < grams.count {
            if q[i].0 == grams[j] { s += q[i].1 * weights[j]; i += 1; j += 1 } else if q[i].0 < grams[j] { i += 1 } else { j += 1 }
        }
        return s
    }

    /// Each bigram once, in ascending order: a `Set`'s order changes from process to process (Swift seeds its
    /// hashing), and float sums over it (the title vector's norm, a centroid's norm) would too, by an ulp, which
    /// can move a similarity across a threshold in one copy of the dispatcher and not in another.
    static func bigramSet(_ s: [UInt32]) -> [UInt64] { Array(Set(bigrams(s))).sorted() }

    private mutating func expire(before cutoff: Date) {
        while head < docs.count && docs[head].time < cutoff {
            for g in docs[head].grams { grams[g]?.df -= 1 }
            head += 1
        }
        // Compact once half the storage is expired.
        if head > 1024 && head * 2 > docs.count {
            let firstLive = baseSeq + head
            docs.removeFirst(head)
            baseSeq = firstLive
            head = 0
            scratch = []
            for (g, entry) in grams {
                let kept = entry.postings.drop { $0 < firstLive }
                if kept.isEmpty {
                    grams[g] = nil
                } else if kept.count != entry.postings.count {
                    grams[g]?.postings = Array(kept)
                }
            }
        }
    }

    /// Term frequencies (bigram hash → weight) of an appeal.
    static func terms(title: [UInt32], detail: [UInt32], place: String?, options: Options) -> [(UInt64, Float)] {
        var tf: [UInt64: Float] = [:]
        for g in bigrams(title) { tf[g, default: 0] += options.titleWeight }
        for g in bigrams(detail) { tf[g, default: 0] += 1 }
        var out = tf.map { ($0.key, 1 + log($0.value)) }
        if let place, !place.isEmpty {
            out.append((placeToken(place), options.placeWeight))
        }
        return out
    }

    /// The term that stands for a place (odd, so it never equals a bigram, which are even).
    static func placeToken(_ place: String) -> UInt64 { StableHash.hash(place, seed: 0x706C) | 1 }

    static func bigrams(_ s: [UInt32]) -> [UInt64] {
        guard s.count >= 2 else { return s.map { UInt64($0) << 1 } }
        return (0..<(s.count - 1)).map { bigram(s[$0], s[$0 + 1]) }
    }

    /// The term of two adjacent scalars (even, so it never equals a place token).
    static func bigram(_ a: UInt32, _ b: UInt32) -> UInt64 { (UInt64(a) << 32 | UInt64(b)) << 1 }
}
