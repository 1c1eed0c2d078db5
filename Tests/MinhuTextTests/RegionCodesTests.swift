import Foundation
import Testing
@testable import MinhuText

@Suite("Cities and districts named in appeals")
struct RegionCodesTests {
    @Test("administrative codes name their prefecture; estate blocks, markets and words do not")
    func codes() {
        #expect(RegionCodes.find(in: "A市A7县星沙街道") == ["A市"])
        #expect(RegionCodes.find(in: "K11县县城与J11市交界，M5市汇源煤气") == ["J市", "K市", "M市"])
        #expect(RegionCodes.find(in: "B4区涉外景园") == ["B市"])
        #expect(RegionCodes.find(in: "Ａ７县（全角）") == ["A市"])
        #expect(RegionCodes.find(in: "保利林语小区E区供水管，B市场门口") == [])
        #expect(RegionCodes.find(in: "ABC市、WiFi区、3A级景区、A1234区") == [])
        #expect(RegionCodes.find(in: "") == [])
    }

    @Test("codes with digits also name their district or county")
    func districtCodes() {
        #expect(RegionCodes.districts(in: "A7县星沙M9县城二期") == ["A市>A7县", "M市>M9县"])
        #expect(RegionCodes.districts(in: "J11市与Ａ７县交界，A市城区") == ["A市>A7县", "J市>J11市"])
        #expect(RegionCodes.districts(in: "A市保利林语小区E区") == [])
        #expect(RegionCodes.district("东岸区", in: "楚江市") == "楚江市>东岸区")
    }

    @Test("two lists conflict only when both name cities, or both name districts, and share none")
    func conflict() {
        #expect(RegionCodes.conflict(["A市"], ["B市"]))
        #expect(!RegionCodes.conflict(["A市", "M市"], ["M市"]))
        #expect(!RegionCodes.conflict([], ["B市"]))
        #expect(!RegionCodes.conflict(["A市"], []))
        #expect(RegionCodes.conflict(["K市", "K市>K3县"], ["K市", "K市>K9县"]))
        #expect(!RegionCodes.conflict(["K市", "K市>K3县"], ["K市"]), "a district against none named")
        #expect(!RegionCodes.conflict(["K市", "K市>K3县"], ["K市", "K市>K3县", "K市>K9县"]))
        #expect(RegionCodes.conflict(["A市", "A市>A7县"], ["B市", "B市>B4区"]))
    }

    @Test("districts count from the title only; the detail's are where the writer lives")
    func titleDistricts() throws {
        let places = try PlaceRecognizer.loadShipped(environment: [:])
        #expect(places.recognize(title: "A2区丽发新城附近搅拌站扰民", detail: "我住在A3区，每天上班经过。").regions == ["A市", "A市>A2区"])
        #expect(places.recognize(title: "咨询人才购房补贴", detail: "我是A7县居民，申请补贴未通过。").regions == ["A市"])
        let home = PlaceRecognizer(gazetteer: .init(version: 1, city: "楚江市", districts: [.init(name: "东岸区", aliases: nil)], places: []))
        #expect(home.recognize(title: "东岸区某小区停水", detail: "").regions == ["楚江市", "楚江市>东岸区"])
    }

    @Test("the gazetteer's districts and name give its city")
    func homeCity() throws {
        let places = try PlaceRecognizer.loadShipped(environment: [:])
        #expect(places.recognize("A2区丽发新城附近搅拌站扰民").regions == ["A市"])
        #expect(places.recognize("丽发新城附近搅拌站扰民").regions == [])
        #expect(places.recognize("投诉D市糖果KTV噪音扰民").regions == ["D市"])
        let home = PlaceRecognizer(gazetteer: .init(version: 1, city: "楚江市", districts: [.init(name: "东岸区", aliases: nil)], places: []))
        #expect(home.recognize("东岸区某小区停水").regions == ["楚江市"])
        #expect(home.recognize("楚江市公积金贷款").regions == ["楚江市"])
        #expect(home.recognize("公积金贷款").regions == [])
    }

    @Test("one matter in two cities makes two clusters; an appeal naming no city joins either")
    func clustersKeepCitiesApart() {
        var index = SimilarityIndex()
        let t0 = Date(timeIntervalSince1970: 1_600_000_000)
        let title = "投诉糖果KTV夜间噪音扰民"
        let detail = "糖果KTV每天营业到凌晨三点，音响声音很大，附近居民无法入睡，请环保部门处理。"
        let d = index.add(id: "1", title: "投诉D市" + title.dropFirst(2), detail: detail, time: t0, place: nil, regions: ["D市"])
        let m = index.add(id: "2", title: "投诉M市" + title.dropFirst(2), detail: detail, time: t0 + 60, place: nil, regions: ["M市"])
        #expect(d != m)
        let d2 = index.add(id: "3", title: title, detail: "D市" + detail, time: t0 + 120, place: nil, regions: ["D市"])
        #expect(d2 == d)
        let none = index.add(id: "4", title: title, detail: detail, time: t0 + 180, place: nil)
        #expect(none == d || none == m)
        #expect(index.cluster(d)?.regions == ["D市"])
        // Without the cities, the same appeals are one cluster (the split is the cities' doing).
        var plain = SimilarityIndex()
        let p1 = plain.add(id: "1", title: "投诉D市" + title.dropFirst(2), detail: detail, time: t0, place: nil)
        let p2 = plain.add(id: "2", title: "投诉M市" + title.dropFirst(2), detail: detail, time: t0 + 60, place: nil)
        #expect(p1 == p2)
    }

    @Test("one complaint in two counties of a city makes two hotspots; a city-wide question asked from two districts one")
    func hotspotsKeepDistrictsApart() {
        let t0 = Date(timeIntervalSince1970: 1_600_000_000)
        var appeals: [AppealRecord] = []
        for (i, county) in ["K3县", "K9县", "K3县", "K9县"].enumerated() {
            appeals.append(AppealRecord(id: "school\(i)", title: "投诉\(county)二中强制学生补课并收取补课费",
                                        detail: "学校要求全体学生周末到校补课，每人收取补课费八百元，不交不让上课。", time: t0 + Double(i) * 3_600))
        }
        for (i, district) in ["A3区", "A7县", "A5区"].enumerated() {
            appeals.append(AppealRecord(id: "subsidy\(i)", title: "咨询A市人才购房补贴申请为何不通过",
                                        detail: "我是\(district)居民，去年落户后申请人才购房补贴，系统一直显示审核不通过。", time: t0 + Double(10 + i) * 3_600))
        }
        for recognizer in [nil, try? PlaceRecognizer.loadShipped(environment: [:])] {
            let hotspots = HotspotFinder(recognizer: recognizer).find(appeals, top: 10)
            let groups = Set(hotspots.map { Set($0.ids) })
            #expect(groups.contains(["school0", "school2"]) && groups.contains(["school1", "school3"]), "\(groups)")
            #expect(groups.contains(["subsidy0", "subsidy1", "subsidy2"]), "\(groups)")
        }
        // Without the districts the four complaints are one hotspot (the split is the districts' doing).
        var index = SimilarityIndex()
        let clusters = Set(appeals.prefix(4).map { index.add(id: $0.id, title: $0.title, detail: $0.detail, time: $0.time, place: nil, regions: ["K市"]) })
        #expect(clusters.count == 1)
    }

    @Test("an appeal does not reach another district's cluster through a member that names no district")
    func noChainAcrossDistricts() {
        let t0 = Date(timeIntervalSince1970: 1_600_000_000)
        let detail = "小区配套幼儿园建成两年一直没有开园，开发商说要办成民办园，收费很高，业主希望办成公办或普惠园。"
        func run(_ regions: [[String]]) -> [Int] {
            var index = SimilarityIndex()
            let titles = ["投诉A3区云时代小区配套幼儿园迟迟不开园", "投诉A市云时代小区配套幼儿园迟迟不开园",
                          "投诉A7县凯旋门小区配套幼儿园迟迟不开园"]
            return titles.indices.map { i in
                index.add(id: "\(i)", title: titles[i], detail: detail, time: t0 + Double(i) * 3_600, place: nil,
                          regions: regions[i])
            }
        }
        // The second names no district, so it joins the first; the third, in another county, matches the second
        // best, but the cluster it would join holds an A3区 appeal.
        let named = run([["A市", "A市>A3区"], ["A市"], ["A市", "A市>A7县"]])
        #expect(named[1] == named[0])
        #expect(named[2] != named[0])
        // Without the districts, all three are one cluster (the split is the districts' doing).
        let plain = run([["A市"], ["A市"], ["A市"]])
        #expect(Set(plain).count == 1)
    }

    @Test("the batch merge keeps clusters of different cities apart")
    func mergeKeepsCitiesApart() {
        let t0 = Date(timeIntervalSince1970: 1_600_000_000)
        func cluster(_ id: Int, _ titles: [String], _ regions: [String]) -> SimilarityIndex.Cluster {
            var c = SimilarityIndex.Cluster(id: id, memberIDs: titles.indices.map { "\(id)-\($0)" }, titles: titles,
                                            first: t0, last: t0, placeCounts: [:])
            c.regions = regions
            return c
        }
        let a = cluster(0, ["咨询新生儿落地险办理", "咨询新生儿落地险如何办理"], ["B市"])
        let b = cluster(1, ["新生儿落地险办理咨询", "新生儿落地险怎么办理"], ["H市"])
        let c = cluster(2, ["新生儿落地险办理问题", "咨询新生儿落地险"], [])
        // Other matters, so that the matter's words are rare (the centroids are TF-IDF).
        let others = [cluster(3, ["小区门口路灯不亮", "路灯坏了没人修"], []), cluster(4, ["学校食堂饭菜质量差", "食堂收费太高"], []),
                      cluster(5, ["公交站台被摊贩占用", "站台占道经营"], [])]
        #expect(HotspotFinder.merge([a, b] + others, threshold: 0.4).count == 5)
        let merged = HotspotFinder.merge([a, c] + others, threshold: 0.4)
        #expect(merged.count == 4)
        #expect(merged.contains { $0.size == 4 && $0.regions == ["B市"] })
        // The same two clusters without their cities are merged.
        var unnamed = b
        unnamed.regions = []
        #expect(HotspotFinder.merge([a, unnamed] + others, threshold: 0.4).count == 4)
    }
}
