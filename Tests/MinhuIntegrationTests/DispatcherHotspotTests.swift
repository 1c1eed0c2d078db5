import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
import MinhuText
import Testing

/// Similar appeals join one cluster; crossing a threshold raises exactly one hotspot.detected, also when an event
/// is delivered twice; GET /v1/clusters/{id} shows the cluster.
@Suite("Dispatcher: clusters and hotspots", .enabled(if: TestDatabase.isConfigured))
struct DispatcherHotspotTests {
    /// One matter (concrete-plant noise at 丽发新城), in other words each time.
    static let paraphrases: [(String, String)] = [
        ("丽发新城旁搅拌站噪音扰民", "A2区丽发新城附近的混凝土搅拌站日夜施工，噪音太大，居民无法休息。"),
        ("投诉丽发新城搅拌站噪音", "丽发新城小区边上搅拌站晚上还在作业，轰鸣声很吵，希望有关部门管一管。"),
        ("丽发新城附近搅拌站夜间噪音严重", "住在丽发新城，附近搅拌站夜里机器声不断，老人孩子都睡不好。"),
        ("丽发新城搅拌站噪声扰民问题", "丽发新城周边搅拌站噪声污染严重，多次反映没有解决。"),
        ("再次反映丽发新城搅拌站噪音", "丽发新城旁边搅拌站凌晨还在施工，噪音扰民，请尽快处理。"),
        ("丽发新城搅拌站噪音太大", "A2区丽发新城附近搅拌站每天噪音很大，严重影响生活。"),
    ]

    @Test("six paraphrased appeals cross threshold 5 once: one hotspot.detected, even with a redelivered event")
    func hotspotOnce() async throws {
        try await TestBroker.withVhost { url in
            try await DispatcherHarness.run(amqpURL: url) { dispatcher in
                let unrelated = DispatcherHarness.received(title: "学校门口交通拥堵",
                                                           body: "A5区实验小学门口上下学时段车辆乱停，交通拥堵严重。")
                // Five people: the fifth appeal is the first citizen's again.
                let phones = ["138****8001", "139****8002", "137****8003", "136****8004", "138****8001", "135****8005"]
                let appeals = zip(Self.paraphrases, phones).map { DispatcherHarness.received(title: $0.0.0, body: $0.0.1, phone: $0.1) }
                let sent = try await dispatcher.publish([unrelated] + Array(appeals.prefix(4)))
                try await expectEventually(timeout: .seconds(120)) { try await dispatcher.inboxCount() == 5 }
                #expect(try await dispatcher.emitted(HotspotDetected.self).isEmpty)
                // The fifth, the first one again (same message id), then the sixth.
                try await dispatcher.publish([appeals[4]])
                try await dispatcher.publish([sent[1]])
                try await dispatcher.publish([appeals[5]])
                try await expectEventually(timeout: .seconds(120)) { try await dispatcher.inboxCount() == 7 }
                #expect(try await dispatcher.count("SELECT count(*) FROM cluster_members") == 7)

                let hotspots = try await dispatcher.emitted(HotspotDetected.self)
                #expect(hotspots.count == 1)
                let hotspot = try #require(hotspots.first)
                #expect(hotspot.threshold == 5 && hotspot.size == 5 && hotspot.people == 4)
                #expect(Set(hotspot.memberAppealIds) == Set(appeals.prefix(5).map(\.appealId)))
                #expect(!hotspot.memberAppealIds.contains(unrelated.appealId))
                // Shown with the window's most typical title, not the first member's.
                #expect(hotspot.title == SimilarityIndex.representativeTitle(of: Self.paraphrases.prefix(5).map(\.0)))
                #expect(hotspot.title != Self.paraphrases[0].0)
                #expect(hotspot.place.road == "丽发新城" || hotspot.place.district == "A2区")
                // Every member keeps its whole place (0010), from which the hotspot's place is chosen.
                #expect(try await dispatcher.count("SELECT count(*) FROM cluster_members WHERE place IS NOT NULL") == 7)
                #expect(hotspot.windowEnd >= hotspot.windowStart)

                #expect(try await dispatcher.count("""
                    SELECT count(*) FROM cluster_members WHERE cluster_id = '\(hotspot.clusterId)'
                    """) == appeals.count)
                // Each member's appeal.classified (or desk item, for a low-confidence one) names the cluster.
                let named = try await appeals.asyncMap { appeal -> UUID? in
                    if let classified = try await dispatcher.classified(appeal.appealId) { return classified.clusterId }
                    return try await dispatcher.count("""
                        SELECT count(*) FROM desk_items WHERE appeal_id = '\(appeal.appealId)'
                        AND cluster_id = '\(hotspot.clusterId)'
                        """) == 1 ? hotspot.clusterId : nil
                }
                #expect(Set(named) == [hotspot.clusterId])

                let key = try await dispatcher.key(.supervisor)
                let view = try await dispatcher.request("GET", "/v1/clusters/\(hotspot.clusterId)", key: key)
                #expect(view.status == 200)
                let object = try #require(try JSONSerialization.jsonObject(with: view.body) as? [String: Any])
                #expect(object["size"] as? Int == 6)
                #expect(object["people"] as? Int == 5)
                #expect(Set(object["members"] as? [String] ?? []) == Set(appeals.map(\.caseNumber)))
                #expect(object["hotspot_levels"] as? [Int] == [5])
                #expect(object["title"] as? String == hotspot.title)
                #expect(object["first"] is String && object["last"] is String && object["place"] is [String: Any])
                #expect(object["members_total"] as? Int == 6)
                // Members come in pages (a city-wide matter gathers too many for one answer); people and the total
                // still count them all.
                var paged: [String] = []
                for offset in stride(from: 0, to: 6, by: 4) {
                    let page = try await dispatcher.request(
                        "GET", "/v1/clusters/\(hotspot.clusterId)?limit=4&offset=\(offset)", key: key)
                    let pageObject = try #require(try JSONSerialization.jsonObject(with: page.body) as? [String: Any])
                    #expect(pageObject["people"] as? Int == 5 && pageObject["members_total"] as? Int == 6)
                    paged += pageObject["members"] as? [String] ?? []
                }
                #expect(paged == object["members"] as? [String])
                let badLimit = try await dispatcher.request("GET", "/v1/clusters/\(hotspot.clusterId)?limit=0",
                                                            key: key)
                #expect(badLimit.status == 400 && String(decoding: badLimit.body, as: UTF8.self).contains("limit"))
                #expect(try await dispatcher.request("GET", "/v1/clusters/\(UUID())", key: key).status == 404)
                #expect(try await dispatcher.request("GET", "/v1/clusters/not-a-uuid", key: key).status == 400)
                #expect(try await dispatcher.request("GET", "/v1/clusters/\(hotspot.clusterId)",
                                                     key: try await dispatcher.key(.department, department: "housing"))
                    .status == 403)
                #expect(try await dispatcher.request("GET", "/v1/clusters/\(hotspot.clusterId)").status == 401)
            }
        }
    }

    @Test("a late appeal counts only the members of the window before it, not those that came after it")
    func lateAppealCountsOnlyItsWindow() async throws {
        try await TestBroker.withVhost { url in
            let environment = ["MINHU_HOTSPOT_THRESHOLDS": "5", "MINHU_HOTSPOT_WINDOW_DAYS": "30"]
            try await DispatcherHarness.run(amqpURL: url, environment: environment) { dispatcher in
                let day0 = Date().addingTimeInterval(-40 * 86_400)
                func at(_ day: Double, _ index: Int) -> AppealReceived {
                    DispatcherHarness.received(title: Self.paraphrases[index].0, body: Self.paraphrases[index].1,
                                               at: day0.addingTimeInterval(day * 86_400))
                }
                // Days 31-34 first, then one of day 0 delivered late: its 30 days before hold itself alone.
                try await dispatcher.publish((0..<4).map { at(31 + Double($0), $0) })
                try await expectEventually(timeout: .seconds(120)) { try await dispatcher.inboxCount() == 4 }
                let late = at(0, 4)
                try await dispatcher.publish([late])
                try await expectEventually(timeout: .seconds(120)) { try await dispatcher.inboxCount() == 5 }
                #expect(try await dispatcher.count("SELECT count(DISTINCT cluster_id) FROM cluster_members") == 1)
                #expect(try await dispatcher.emitted(HotspotDetected.self).isEmpty)
                // Day 35: days 5-35 hold the four and this one, five without the late appeal.
                let fifth = at(35, 5)
                try await dispatcher.publish([fifth])
                try await expectEventually(timeout: .seconds(120)) { try await dispatcher.inboxCount() == 6 }
                let hotspots = try await dispatcher.emitted(HotspotDetected.self)
                #expect(hotspots.count == 1)
                #expect(hotspots.first?.size == 5)
                #expect(hotspots.first.map { !$0.memberAppealIds.contains(late.appealId) } == true)
            }
        }
    }

    @Test("a restarted dispatcher rebuilds its index from the database and keeps joining the same cluster")
    func rebuildAfterRestart() async throws {
        try await TestBroker.withVhost { url in
            // Thresholds 2,3: the second copy's join crosses 3 exactly once.
            let environment = ["MINHU_HOTSPOT_THRESHOLDS": "2,3"]
            try await TestDatabase.withConfiguration { database in
                try await DispatcherHarness.run(amqpURL: url, database: database, environment: environment) { first in
                    let appeals = Self.paraphrases.prefix(2).map { DispatcherHarness.received(title: $0.0, body: $0.1) }
                    try await first.publish(appeals)
                    try await expectEventually(timeout: .seconds(120)) { try await first.inboxCount() == 2 }
                    #expect(try await first.emitted(HotspotDetected.self).map(\.threshold) == [2])
                }
                // Restarted: the in-memory index is rebuilt from cluster_members.
                try await DispatcherHarness.run(amqpURL: url, database: database, environment: environment) { second in
                    let third = DispatcherHarness.received(title: Self.paraphrases[2].0, body: Self.paraphrases[2].1)
                    try await second.publish([third])
                    try await expectEventually(timeout: .seconds(120)) { try await second.inboxCount() == 3 }
                    #expect(try await second.emitted(HotspotDetected.self).map(\.threshold) == [2, 3])
                    #expect(try await second.count("SELECT count(DISTINCT cluster_id) FROM cluster_members") == 1)
                }
            }
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
