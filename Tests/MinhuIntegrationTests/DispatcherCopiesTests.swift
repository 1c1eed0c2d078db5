import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
import PostgresNIO
import Testing

/// Several copies of the dispatcher on one database agree on clusters: they assign clusters one transaction at a
/// time (advisory lock) and catch up on each other's members by `cluster_members.seq` (docs/dispatcher.md, "Limits").
@Suite("Dispatcher: several copies", .enabled(if: TestDatabase.isConfigured))
struct DispatcherCopiesTests {
    /// One copy: its own registry and handler, like a separate process.
    struct Copy: Sendable {
        let handler: DispatcherClassificationHandler
        let clusters: ClusterRegistry

        init(windowDays: Int = DispatcherSettings().clusterWindowDays, rebuildAbove: Int = 50_000) throws {
            let analyzer = try DispatcherHarness.analyzer.get()
            clusters = ClusterRegistry(analyzer: analyzer, windowDays: windowDays, rebuildAbove: rebuildAbove)
            handler = DispatcherClassificationHandler(analyzer: analyzer, settings: DispatcherSettings(), clusters: clusters)
        }

        /// Handles `appeal` in a transaction that then fails: the index has placed it, the database holds nothing.
        func handleAndRollBack(_ appeal: AppealReceived, messageID: String, on database: MinhuDatabase) async {
            struct BatchFailed: Error {}
            await #expect(throws: BatchFailed.self) {
                try await database.withTransaction { connection in
                    let events = [DispatcherClassificationHandler.Event(payload: appeal, messageID: messageID)]
                    _ = try await handler.apply(events, on: connection, logger: TestDatabase.logger)
                    throw BatchFailed()
                }
            }
        }

        /// Handles `appeals` as one consumer batch: one transaction, emitted messages into the outbox.
        func handle(_ appeals: [AppealReceived], on database: MinhuDatabase) async throws {
            let events = appeals.map { DispatcherClassificationHandler.Event(payload: $0, messageID: UUID().uuidString) }
            try await database.withTransaction { connection in
                let out = try await handler.apply(events, on: connection, logger: TestDatabase.logger)
                try await OutboxWriter.append(out, producer: DispatcherClassificationHandler.producer, on: connection,
                                              logger: TestDatabase.logger)
            }
        }
    }

    static func paraphrases() -> [AppealReceived] {
        DispatcherHotspotTests.paraphrases.map { DispatcherHarness.received(title: $0.0, body: $0.1) }
    }

    /// Three appeals about three other matters (title, detail).
    static let otherMatters = [("学校门口交通拥堵", "A5区实验小学门口上下学时段车辆乱停，交通拥堵严重。"),
                               ("咨询新生儿医保办理", "请问新生儿参加城乡居民医保需要带哪些材料，在哪里办理？"),
                               ("公司拖欠工资三个月", "A3区某建筑公司拖欠农民工工资三个月，多次讨要无果。")]

    static func unrelated() -> AppealReceived {
        DispatcherHarness.received(title: "学校门口交通拥堵", body: "A5区实验小学门口上下学时段车辆乱停，交通拥堵严重。")
    }

    static func hotspots(_ database: MinhuDatabase) async throws -> [HotspotDetected] {
        try await database.withConnection { connection in
            let rows = try await connection.guardedQuery("""
                SELECT body FROM outbox WHERE producer = 'minhu-dispatcher'
                AND type = \(HotspotDetected.eventType.rawValue) ORDER BY id
                """, logger: TestDatabase.logger)
            var out: [HotspotDetected] = []
            for try await body in rows.decode(String.self) {
                out.append(try MinhuJSON.decode(HotspotDetected.self, from: Data(body.utf8)))
            }
            return out
        }
    }

    static func clusters(of appeals: [AppealReceived], _ database: MinhuDatabase) async throws -> Set<UUID> {
        try await database.withConnection { connection in
            let rows = try await connection.guardedQuery("""
                SELECT cluster_id FROM cluster_members WHERE appeal_id = ANY(\(appeals.map(\.appealId)))
                """, logger: TestDatabase.logger)
            return Set(try await rows.decode(UUID.self).collectAll())
        }
    }

    @Test("appeals about one matter handled alternately by two copies form one cluster and one hotspot.detected")
    func alternatingCopies() async throws {
        try await TestDatabase.withDatabase { database in
            let first = try Copy(), second = try Copy()
            let unrelated = Self.unrelated()
            let appeals = Self.paraphrases()
            // The first copy loads its index before the second copy records anything.
            try await first.handle([unrelated], on: database)
            try await second.handle([appeals[0]], on: database)
            try await second.handle([appeals[1]], on: database)
            // Without catching up, the first copy would start a second cluster here.
            try await first.handle([appeals[2]], on: database)
            try await second.handle([appeals[3]], on: database)
            try await first.handle([appeals[4]], on: database)
            try await second.handle([appeals[5]], on: database)

            let matter = try await Self.clusters(of: appeals, database)
            #expect(matter.count == 1)
            #expect(try await Self.clusters(of: [unrelated], database).isDisjoint(with: matter))
            let hotspots = try await Self.hotspots(database)
            #expect(hotspots.map(\.threshold) == [5])
            #expect(hotspots.first.map { Set($0.memberAppealIds) } == Set(appeals.prefix(5).map(\.appealId)))
            #expect(hotspots.first.map(\.clusterId) == matter.first)
        }
    }

    @Test("a copy whose index holds mostly expired clusters rebuilds it from the window and keeps the matter's cluster")
    func rebuildsExpiredIndex() async throws {
        try await TestDatabase.withDatabase { database in
            // A one-day window, rebuilt above 3 clusters: the index would otherwise keep every cluster it started.
            let copy = try Copy(windowDays: 1, rebuildAbove: 3)
            let now = Date()
            let others = Self.otherMatters
            for (day, other) in zip([10.0, 8, 6], others) {
                try await copy.handle([DispatcherHarness.received(title: other.0, body: other.1,
                                                                  at: now.addingTimeInterval(-day * 86_400))], on: database)
            }
            let matter = zip(DispatcherHotspotTests.paraphrases, [-12 * 3_600.0, -3_600]).map { text, offset in
                DispatcherHarness.received(title: text.0, body: text.1, at: now.addingTimeInterval(offset))
            }
            try await copy.handle([matter[0]], on: database)
            #expect(copy.clusters.indexedClusters == 4)
            // Four clusters, one appeal in the window: rebuilt from cluster_members before the next appeal joins.
            try await copy.handle([matter[1]], on: database)
            #expect(copy.clusters.indexedClusters == 1)
            #expect(try await Self.clusters(of: matter, database).count == 1)
            #expect(try await StorageFixtures.integer("SELECT count(DISTINCT cluster_id) FROM cluster_members",
                                                      on: database) == 4)
        }
    }

    @Test("an appeal dated a year ahead joins at the dispatcher's time and expires nothing of the window")
    func futureDatedAppeal() async throws {
        try await TestDatabase.withDatabase { database in
            let copy = try Copy(windowDays: 1)
            let now = Date()
            let others = Self.otherMatters
            for (hour, other) in zip([3.0, 2, 1], others) {
                let appeal = DispatcherHarness.received(title: other.0, body: other.1,
                                                        at: now.addingTimeInterval(-hour * 3_600))
                try await copy.handle([appeal], on: database)
            }
            let ahead = DispatcherHarness.received(title: "小区路灯不亮", body: "A2区某小区路灯坏了一个月没人修。",
                                                   at: now.addingTimeInterval(365 * 86_400))
            try await copy.handle([ahead], on: database)
            #expect(copy.clusters.indexedAppeals == 4)
            let joined = try await StorageFixtures.integer("""
                SELECT count(*) FROM cluster_members WHERE appeal_id = \(ahead.appealId) AND joined_at <= now()
                """, on: database)
            #expect(joined == 1)
            // The window still expires as time goes on: an appeal of now keeps all five.
            try await copy.handle([DispatcherHarness.received(title: others[0].0, body: others[0].1, at: Date())],
                                  on: database)
            #expect(copy.clusters.indexedAppeals == 5)
        }
    }

    @Test("a copy whose batch rolled back after placing an appeal rebuilds its index, keeping no phantom cluster")
    func rebuildsAfterRollback() async throws {
        try await TestDatabase.withDatabase { database in
            let first = try Copy(), second = try Copy()
            let appeals = Self.paraphrases()
            try await first.handle([Self.unrelated()], on: database)
            // The first copy places appeals[0] in a new cluster, then its transaction fails: nothing is recorded.
            await first.handleAndRollBack(appeals[0], messageID: "m0", on: database)
            #expect(first.clusters.indexedClusters == 2)
            // The redelivery goes to the second copy, which records the matter's cluster.
            try await second.handle([appeals[0]], on: database)
            try await second.handle([appeals[1]], on: database)
            // The first copy's next batch finds appeals[0] missing from the database and rebuilds from it: the
            // unrelated appeal's cluster and the matter's, not the phantom one it started.
            try await first.handle([appeals[2]], on: database)
            #expect(first.clusters.indexedClusters == 2)
            #expect(try await Self.clusters(of: Array(appeals.prefix(3)), database).count == 1)
        }
    }

    @Test("an appeal placed by a batch that rolled back, then recorded by another copy in its cluster, is held once")
    func rolledBackThenRecordedElsewhere() async throws {
        try await TestDatabase.withDatabase { database in
            let first = try Copy(), second = try Copy()
            let appeals = Self.paraphrases()
            try await first.handle([appeals[0]], on: database)
            try await second.handle([Self.unrelated()], on: database)
            // The first copy places appeals[1] in the matter's cluster, then its transaction fails.
            await first.handleAndRollBack(appeals[1], messageID: "m1", on: database)
            // The redelivery goes to the second copy, which records it in the same cluster.
            try await second.handle([appeals[1]], on: database)
            #expect(try await Self.clusters(of: Array(appeals.prefix(2)), database).count == 1)
            // The first copy's next batch: its index holds each recorded appeal once (found by a review: it held
            // appeals[1] twice, its own placement and the other copy's row).
            try await first.handle([appeals[2]], on: database)
            let recorded = try await StorageFixtures.integer("SELECT count(*) FROM cluster_members", on: database)
            #expect(recorded == 4 && first.clusters.indexedAppeals == recorded, "\(first.clusters.indexedAppeals)")
        }
    }

    @Test("two copies handling one matter at the same time still form one cluster and one hotspot.detected")
    func concurrentCopies() async throws {
        try await TestDatabase.withDatabase { database in
            let copies = [try Copy(), try Copy()]
            let appeals = Self.paraphrases()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (number, copy) in copies.enumerated() {
                    let mine = appeals.enumerated().filter { $0.offset % 2 == number }.map(\.element)
                    group.addTask {
                        for appeal in mine { try await copy.handle([appeal], on: database) }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await StorageFixtures.integer("SELECT count(*) FROM cluster_members", on: database) == 6)
            #expect(try await Self.clusters(of: appeals, database).count == 1)
            #expect(try await Self.hotspots(database).map(\.threshold) == [5])
        }
    }

    @Test("minhu_dispatcher takes the cluster lock and inserts members, getting a seq without sequence grants")
    func dispatcherRoleInsertsWithSeq() async throws {
        try await TestDatabase.withDatabase { database in
            let seqs = try await StorageFixtures.asRole("minhu_dispatcher", on: database) { connection in
                try await connection.guardedQuery("SELECT pg_advisory_xact_lock(\(ClusterRegistry.advisoryLockKey))",
                                           logger: TestDatabase.logger)
                let cluster = UUID()
                try await connection.guardedQuery("""
                    INSERT INTO clusters (id, title, first_at, last_at) VALUES (\(cluster), '噪音', now(), now())
                    """, logger: TestDatabase.logger)
                var seqs: [Int64] = []
                for number in ["1", "2"] {
                    let rows = try await connection.guardedQuery("""
                        INSERT INTO cluster_members (appeal_id, cluster_id, case_number, title, detail_excerpt, joined_at)
                        VALUES (\(UUID()), \(cluster), \("20261122-00000" + number), '噪音', '', now()) RETURNING seq
                        """, logger: TestDatabase.logger)
                    seqs += try await rows.decode(Int64.self).collectAll()
                }
                return seqs
            }
            #expect(seqs.count == 2)
            #expect(seqs == seqs.sorted() && Set(seqs).count == 2)
        }
    }

    @Test("two dispatcher runtimes on one database and vhost form one cluster and emit the hotspot once")
    func twoRuntimes() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withConfiguration { database in
                try await DispatcherHarness.run(amqpURL: url, database: database) { first in
                    // The first copy loads its index before the second one starts.
                    let unrelated = Self.unrelated()
                    try await first.publish([unrelated])
                    try await expectEventually(timeout: .seconds(90)) { try await first.inboxCount() == 1 }
                    try await DispatcherHarness.run(amqpURL: url, database: database) { _ in
                        // One at a time, so the queue hands them out in turn to the two consumers.
                        let appeals = Self.paraphrases()
                        for (number, appeal) in appeals.enumerated() {
                            try await first.publish([appeal])
                            try await expectEventually(timeout: .seconds(90)) {
                                try await first.inboxCount() == number + 2
                            }
                        }
                        #expect(try await first.count("SELECT count(*) FROM cluster_members") == appeals.count + 1)
                        let matter = try await Self.clusters(of: appeals, first.database)
                        #expect(matter.count == 1)
                        #expect(try await Self.clusters(of: [unrelated], first.database).isDisjoint(with: matter))
                        let hotspots = try await first.emitted(HotspotDetected.self)
                        #expect(hotspots.map(\.threshold) == [5])
                        #expect(hotspots.first.map { Set($0.memberAppealIds) } == Set(appeals.prefix(5).map(\.appealId)))
                    }
                }
            }
        }
    }
}
