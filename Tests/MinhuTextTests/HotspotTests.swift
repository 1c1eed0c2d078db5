import Foundation
import Testing
@testable import MinhuText

@Suite("Similarity index and hotspots")
struct HotspotTests {
    /// Planted matters: paraphrased repeats (different wording, same place and matter).
    static let planted: [String: [(String, String)]] = [
        "mixer": [
            ("丽发新城旁边搅拌站噪音太大", "小区旁边新建的混凝土搅拌站日夜施工，噪音和粉尘让居民无法休息。"),
            ("投诉丽发新城附近搅拌站扰民", "搅拌站离丽发新城小区不到百米，半夜搅拌机轰鸣，灰尘满天。"),
            ("丽发新城居民被搅拌站噪音折磨", "每天晚上搅拌站的罐车进进出出，噪音扰民严重，请环保部门处理。"),
            ("请求搬走丽发新城附近的搅拌站", "搅拌站粉尘污染和噪音已经持续几个月，小区老人孩子深受其害。"),
            ("丽发新城小区搅拌站噪音粉尘污染", "附近搅拌站违规建设，噪音和粉尘严重影响小区居民生活。"),
        ],
        "parking": [
            ("伊景园滨河苑捆绑销售车位", "开发商要求购房必须同时购买车位，否则不给签合同。"),
            ("投诉伊景园滨河苑强制捆绑车位", "买房被强制捆绑购买十几万的车位，这合法吗？"),
            ("伊景园滨河苑购房捆绑车位问题", "定向限价房却捆绑销售无产权车位，侵害职工权益。"),
            ("反对伊景园滨河苑车位捆绑销售", "开发商把车位和房子捆绑在一起卖，业主不买车位就不能买房。"),
        ],
    ]
    static let unrelated: [(String, String)] = [
        ("咨询新生儿医保办理流程", "孩子刚出生，请问城乡居民医保在哪里办理？"),
        ("建议增开夜班公交", "地铁停运后回家不方便，希望开通夜班公交线路。"),
        ("学校食堂饭菜质量差", "孩子说食堂的菜经常是冷的，分量也少。"),
        ("农村道路破损严重", "村里的水泥路坑坑洼洼，下雨天无法通行。"),
        ("社保转移接续太慢", "从外省转回来的养老保险半年了还没转好。"),
        ("公园厕所长期不开放", "公园里的公共厕所一直锁着门，游客很不方便。"),
        ("出租车不打表", "火车站出租车司机不打表，一口价宰客。"),
        ("幼儿园收费不合理", "民办幼儿园每学期涨价，还收各种杂费。"),
        ("医院挂号难", "专家号总是挂不上，黄牛却能买到。"),
        ("路灯不亮", "小区门口的路灯坏了一个月没人修。"),
        // The same places as the planted matters, other matters: they must stay out too.
        ("丽发新城小区停车位不够", "小区车位太少，晚上回来只能把车停在路边。"),
        ("伊景园滨河苑物业服务差", "物业不打扫楼道卫生，电梯坏了也不及时修。"),
        ("丽发新城小区门口道路积水", "一下雨门口的路就淹了，出行很不方便。"),
    ]

    @Test("planted clusters are found with their members; unrelated appeals stay out")
    func planted() throws {
        var appeals: [AppealRecord] = []
        var day = 0.0
        let base = Date(timeIntervalSince1970: 1_565_000_000)
        var i = 0
        let groups = Self.planted.sorted { $0.key < $1.key }
        let maxCount = groups.map(\.value.count).max() ?? 0
        for k in 0..<max(maxCount, Self.unrelated.count) {
            for (name, items) in groups where k < items.count {
                appeals.append(AppealRecord(id: "\(name)-\(k)", title: items[k].0, detail: items[k].1, time: base.addingTimeInterval(day * 86_400)))
                day += 0.5
            }
            if k < Self.unrelated.count {
                appeals.append(AppealRecord(id: "u-\(k)", title: Self.unrelated[k].0, detail: Self.unrelated[k].1, time: base.addingTimeInterval(day * 86_400)))
                day += 0.5
            }
            i += 1
        }
        let finder = HotspotFinder(recognizer: TestPaths.places)
        let spots = finder.find(appeals, top: 5)
        for (name, items) in groups {
            let ids = Set(items.indices.map { "\(name)-\($0)" })
            let spot = try #require(spots.first { !ids.isDisjoint(with: $0.ids) }, "\(name) not found")
            #expect(Set(spot.ids) == ids, "\(name): \(spot.ids)")
        }
        for spot in spots { #expect(!spot.ids.contains { $0.hasPrefix("u-") }, "unrelated in \(spot.ids)") }
    }

    @Test("ranked by people: one citizen's many messages rank below a matter fewer messages from more people raise")
    func rankedByPeople() throws {
        let base = Date(timeIntervalSince1970: 1_565_000_000)
        var appeals: [AppealRecord] = []
        let series = ["请加快汉王陵考古遗址公园建设", "再次请求加快汉王陵考古遗址公园建设", "请加快推进汉王陵考古遗址公园建设",
                      "建议加快汉王陵考古遗址公园建设进度", "请尽快加快汉王陵考古遗址公园建设"]
        for (i, title) in series.enumerated() {
            appeals.append(AppealRecord(id: "s\(i)", title: title, detail: "汉王陵考古遗址公园建设进度太慢，希望加快。",
                                        time: base + Double(i) * 86_400, user: "A0001"))
        }
        for (i, (title, detail)) in Self.planted["parking"]!.prefix(3).enumerated() {
            appeals.append(AppealRecord(id: "p\(i)", title: title, detail: detail, time: base + Double(i) * 86_400 + 3_600,
                                        user: "B\(i)"))
        }
        let finder = HotspotFinder(recognizer: TestPaths.places)
        let byPeople = finder.find(appeals, top: 2)
        #expect(byPeople.map(\.people) == [3, 1])
        #expect(byPeople.first.map { Set($0.ids) } == ["p0", "p1", "p2"])
        let bySize = finder.find(appeals, top: 2, ranking: .size)
        #expect(bySize.map(\.size) == [5, 3])
        // Without users every appeal is its own person: people equals size.
        let anonymous = appeals.map { var a = $0; a.user = ""; return a }
        #expect(finder.find(anonymous, top: 2).map(\.people) == [5, 3])
    }

    @Test("the shared corpus: its three named matters are top-five hotspots, each one cluster",
          .enabled(if: TestPaths.hasAppeals, "../shared/data/appeals is missing: corpus hotspots skipped"))
    func corpus() throws {
        let table = try CSVTable(contentsOf: TestPaths.appeals.appendingPathComponent("hotspot-corpus.csv"))
        let (appeals, undated) = try AppealColumns.records(in: table, file: "hotspot-corpus.csv")
        #expect(undated == 0)
        let spots = HotspotFinder(recognizer: TestPaths.places).find(appeals, top: 5)
        // The matters, by title keywords (a rough hand rule, used only to check the clusters).
        let matters: [(String, (String) -> Bool)] = [
            ("mixer noise", { $0.contains("丽发") || $0.contains("搅拌站") || $0.contains("搅拌厂") }),
            ("bundled parking", { $0.contains("伊景园") || ($0.contains("捆绑") && $0.contains("车位")) }),
            ("talent housing subsidy", { $0.contains("购房补贴") || $0.contains("人才新政") || $0.contains("人才补贴") }),
        ]
        for (name, rule) in matters {
            let ids = Set(appeals.filter { rule($0.title) }.map(\.id))
            let spot = try #require(spots.max { ids.intersection($0.ids).count < ids.intersection($1.ids).count })
            let hit = ids.intersection(spot.ids).count
            #expect(hit * 2 > ids.count, "\(name): \(hit) of \(ids.count) in one top-five cluster")
            #expect((spot.size - hit) * 4 < spot.size, "\(name): \(spot.size - hit) others of \(spot.size)")
        }
    }

    @Test("joins use the index, and the window expires old appeals")
    func window() {
        var options = SimilarityIndex.Options()
        options.window = 10 * 86_400
        var index = SimilarityIndex(options: options)
        let t0 = Date(timeIntervalSince1970: 1_600_000_000)
        let a = index.add(id: "1", title: "某某小区门口垃圾站臭气熏天", detail: "垃圾站长期不清理", time: t0, place: nil)
        let b = index.add(id: "2", title: "某某小区门口垃圾站臭气熏天无人管", detail: "垃圾站长期不清理，夏天更臭", time: t0.addingTimeInterval(86_400), place: nil)
        #expect(a == b)
        let c = index.add(id: "3", title: "某某小区门口垃圾站臭气熏天", detail: "垃圾站长期不清理", time: t0.addingTimeInterval(30 * 86_400), place: nil)
        #expect(c != a)
        #expect(index.windowCount == 1)
        _ = index.add(id: "4", title: "", detail: "", time: t0.addingTimeInterval(31 * 86_400), place: nil)
    }

    @Test("a long stream: expired appeals are compacted away, and joins still find the live cluster")
    func compaction() {
        var options = SimilarityIndex.Options()
        options.window = 1_000
        options.maxScannedPostings = 200 // far fewer than the postings of the matters' common bigrams
        var index = SimilarityIndex(options: options)
        let t0 = Date(timeIntervalSince1970: 1_600_000_000)
        let matters = [("丽发新城小区旁搅拌站夜间施工噪音扰民", "搅拌站每天晚上施工到凌晨，噪音很大，居民无法休息"),
                       ("西地省楚江市东岸街道公交站台被占用", "公交站台长期被摊贩占用，乘客只能站在马路上等车"),
                       ("A4区某学校食堂收费过高", "学校食堂每餐收费二十元，饭菜质量很差，家长意见很大")]
        var clusterOf: [Int: Set<Int>] = [:]
        for i in 0..<3_000 {
            let (title, detail) = matters[i % 3]
            let cluster = index.add(id: "\(i)", title: title + "（第\(i)次反映）", detail: detail,
                                    time: t0.addingTimeInterval(Double(i)), place: nil)
            clusterOf[i % 3, default: []].insert(cluster)
        }
        // Each matter stays one cluster through more than one compaction, and the window holds ~1,000 appeals.
        #expect(clusterOf.values.allSatisfy { $0.count == 1 })
        #expect(Set(clusterOf.values.map { $0.first! }).count == 3)
        #expect(index.windowCount == 1_001)
        let again = index.add(id: "q", title: "搅拌站夜间施工噪音大", detail: "丽发新城旁的搅拌站晚上施工，吵得睡不着",
                              time: t0.addingTimeInterval(3_000), place: nil)
        #expect(again == clusterOf[0]!.first!)
        #expect(index.cluster(again)?.size == 1_001)
    }

    @Test("an appeal worded unlike every single member joins the matter its members' titles share (centroid join)")
    func centroidJoin() {
        var off = SimilarityIndex.Options()
        off.centroidThreshold = 1
        let without = Self.subsidyStream(newcomer: Self.subsidyNewcomer, options: off)
        #expect(without.newcomer != without.matter, "without the centroid join no single member is similar enough")
        let with = Self.subsidyStream(newcomer: Self.subsidyNewcomer, options: SimilarityIndex.Options())
        #expect(with.newcomer == with.matter)
        #expect(with.unrelated != with.matter)
    }

    static let subsidyNewcomer = "人才新政购房补贴何时到账"

    /// Five unrelated appeals, then four about a housing subsidy (one cluster), then `newcomer` and an unrelated
    /// consultation: the clusters of each.
    static func subsidyStream(newcomer: String, options: SimilarityIndex.Options) -> (matter: Int, newcomer: Int, unrelated: Int) {
        let t0 = Date(timeIntervalSince1970: 1_600_000_000)
        let members = [("咨询人才购房补贴申请条件", "本科毕业在本市工作，想了解申请需要哪些材料"),
                       ("人才购房补贴什么时候发放", "去年提交的申请到现在没有消息"),
                       ("人才新政补贴审核太慢", "网上显示一直在审核中，请加快进度"),
                       ("硕士人才购房补贴迟迟未到账", "材料齐全，三个月了还没有收到钱")]
        let background = [("小区门口垃圾站臭气熏天", "垃圾站长期不清理，夏天更臭"),
                          ("建议增开夜班公交线路", "地铁停运后回家不方便"),
                          ("学校食堂收费过高", "每餐二十元，饭菜质量很差"),
                          ("某路段路灯损坏", "晚上一片漆黑，行人容易摔倒"),
                          ("商铺油烟扰民", "楼下饭店油烟直排，窗户都不敢开")]
        var index = SimilarityIndex(options: options)
        var i = 0
        for (title, detail) in background {
            i += 1
            index.add(id: "b\(i)", title: title, detail: detail, time: t0.addingTimeInterval(Double(i)), place: nil)
        }
        var matter: Int?
        for (title, detail) in members {
            i += 1
            matter = index.add(id: "m\(i)", title: title, detail: detail, time: t0.addingTimeInterval(Double(i)),
                               place: nil, placement: matter.map { .join($0) } ?? .newCluster)
        }
        let joined = index.add(id: "n", title: newcomer,
                               detail: "我是去年从外地引进的工程师，按照政策交齐了全部材料，单位也盖了章，可到现在一分钱都没拿到，打电话也没人接。",
                               time: t0.addingTimeInterval(100), place: nil)
        let unrelated = index.add(id: "u", title: "咨询医保报销条件", detail: "住院费用能报销多少",
                                  time: t0.addingTimeInterval(101), place: nil)
        return (matter!, joined, unrelated)
    }

    @Test("one place, two matters: the place alone does not join them; the same matter in other words does")
    func placeIsNotTheMatter() {
        let t0 = Date(timeIntervalSince1970: 1_600_000_000)
        func stream(_ options: SimilarityIndex.Options) -> (mixer: Int, parking: Int, again: Int) {
            var index = SimilarityIndex(options: options)
            for (i, (title, detail)) in Self.unrelated.prefix(10).enumerated() {
                index.add(id: "u\(i)", title: title, detail: detail, time: t0.addingTimeInterval(Double(i)), place: nil)
            }
            let mixer = index.add(id: "m1", title: "丽发新城小区附近搅拌站噪音扰民", detail: "丽发新城旁边的搅拌站半夜施工，吵得睡不着",
                                  time: t0.addingTimeInterval(20), place: "丽发新城")
            let parking = index.add(id: "p1", title: "丽发新城小区停车位不够", detail: "丽发新城车位太少，晚上回来只能停路边",
                                    time: t0.addingTimeInterval(21), place: "丽发新城")
            let again = index.add(id: "m2", title: "丽发新城旁搅拌站粉尘噪音污染", detail: "丽发新城附近搅拌站灰尘大，噪音不停",
                                  time: t0.addingTimeInterval(22), place: "丽发新城")
            return (mixer, parking, again)
        }
        let gated = stream(SimilarityIndex.Options())
        #expect(gated.parking != gated.mixer)
        #expect(gated.again == gated.mixer)
        var off = SimilarityIndex.Options()
        off.matterThreshold = 0
        let ungated = stream(off)
        #expect(ungated.parking == ungated.mixer, "without the check the shared place name joins them")
    }

    @Test("an appeal that says only its place joins its own copy, and nothing that states a matter")
    func bareCopiesJoin() {
        let t0 = Date(timeIntervalSince1970: 1_600_000_000)
        var index = SimilarityIndex()
        for (i, (title, detail)) in Self.unrelated.prefix(10).enumerated() {
            index.add(id: "u\(i)", title: title, detail: detail, time: t0.addingTimeInterval(Double(i)), place: nil)
        }
        let mixer = index.add(id: "m1", title: "丽发新城小区附近搅拌站噪音扰民", detail: "丽发新城旁边的搅拌站半夜施工，吵得睡不着",
                              time: t0.addingTimeInterval(20), place: "丽发新城")
        let bare = index.add(id: "b1", title: "丽发新城", detail: "", time: t0.addingTimeInterval(21), place: "丽发新城")
        let copy = index.add(id: "b2", title: "丽发新城", detail: "", time: t0.addingTimeInterval(22), place: "丽发新城")
        let mixerAgain = index.add(id: "m2", title: "丽发新城旁搅拌站粉尘噪音污染", detail: "丽发新城附近搅拌站灰尘大，噪音不停",
                                   time: t0.addingTimeInterval(23), place: "丽发新城")
        let other = index.add(id: "b3", title: "魅力之城", detail: "", time: t0.addingTimeInterval(24), place: "魅力之城")
        #expect(bare != mixer, "a bare place is no matter")
        #expect(copy == bare, "its copy (a message sent again) joins it")
        #expect(mixerAgain == mixer, "the matter at that place does not join the bare appeals")
        #expect(other != bare)
    }

    @Test("a long detail full of words rarer than the title's does not hide the matter: the appeal joins it")
    func longDetailStillJoins() {
        let t0 = Date(timeIntervalSince1970: 1_600_000_000)
        var index = SimilarityIndex()
        var clock = 0.0
        func add(_ id: String, _ title: String, _ detail: String) -> Int {
            clock += 1
            return index.add(id: id, title: title, detail: detail, time: t0.addingTimeInterval(clock), place: nil)
        }
        // Unrelated appeals whose details the newcomer's detail quotes: each of its bigrams is held by one of them,
        // so rarer than any of the matter's words.
        let asides = ["昨天傍晚邻居王阿姨抱怨菜市场鱼价上涨", "小孙子期末考试数学只得了六十二分", "老伴腰椎间盘突出去理疗",
                      "楼下便利店换了新老板营业到凌晨", "单位体检查出血脂偏高医生叮嘱少吃肥肉", "周末带外孙女去动物园看熊猫",
                      "表弟从深圳回来探亲住了三天", "阳台上种的辣椒番茄今年收成不错"]
        for (i, aside) in asides.enumerated() { _ = add("u\(i)", Self.unrelated[i].0, aside + "，" + Self.unrelated[i].1) }
        // Two appeals of the matter hold every bigram of the newcomer's title, so each is rarer in its detail.
        let matter = add("m1", "丽发新城附近修建搅拌站，噪音扰民污染环境", "搅拌站日夜施工，噪音很大")
        #expect(add("m2", "投诉丽发新城附近修建搅拌站污染环境", "附近搅拌站晚上也开工，吵得睡不着") == matter)
        let newcomer = add("m3", "丽发新城附近修建搅拌站，污染环境", asides.joined(separator: "，"))
        #expect(newcomer == matter)
    }

    @Test("the batch merge: one estate's two matters stay apart; the same matter in other words merges")
    func mergeNeedsTheMatter() {
        let t0 = Date(timeIntervalSince1970: 1_600_000_000)
        func cluster(_ id: Int, _ titles: [String], place: String?) -> SimilarityIndex.Cluster {
            SimilarityIndex.Cluster(id: id, memberIDs: titles.indices.map { "\(id)-\($0)" }, titles: titles,
                                    first: t0, last: t0, placeCounts: place.map { [$0: titles.count] } ?? [:])
        }
        let place = "星沙商业乐园"
        let archive = cluster(0, ["星沙商业乐园档案遗失", "星沙商业乐园违建问题", "星沙商业乐园档案谁管"], place: place)
        let fumes = cluster(1, ["星沙商业乐园油烟扰民", "星沙商业乐园门面油烟"], place: place)
        let fumesAgain = cluster(2, ["星沙商业乐园餐馆油烟", "星沙商业乐园油烟直排"], place: place)
        // Other matters, so that the estate's and the matters' words are rare (the centroids are TF-IDF).
        let others = [["小区门口路灯不亮", "路灯坏了没人修"], ["学校食堂饭菜质量差", "食堂收费太高"],
                      ["公交站台被摊贩占用", "站台占道经营"], ["医院挂号排队太久", "挂号难"],
                      ["拖欠农民工工资", "工资被拖欠半年"], ["自来水发黄有异味", "水质差"]]
            .enumerated().map { cluster(3 + $0.offset, $0.element, place: nil) }
        let matter = SimilarityIndex.Options().matterThreshold
        // The estate's name alone makes the titles similar enough to merge when the matter is not checked.
        #expect(HotspotFinder.merge([archive, fumes] + others, threshold: 0.4).count == 7)
        #expect(HotspotFinder.merge([archive, fumes] + others, threshold: 0.4, matterThreshold: matter).count == 8)
        let merged = HotspotFinder.merge([fumes, fumesAgain] + others, threshold: 0.4, matterThreshold: matter)
        #expect(merged.count == 7)
        #expect(merged.contains { $0.size == 4 })
    }

    @Test("a forced placement joins the given cluster or starts a new one, whatever the similarity")
    func placements() {
        var index = SimilarityIndex()
        let t0 = Date(timeIntervalSince1970: 1_600_000_000)
        let garbage = index.add(id: "1", title: "某某小区门口垃圾站臭气熏天", detail: "垃圾站长期不清理", time: t0, place: nil)
        let bus = index.add(id: "2", title: "建议增开夜班公交", detail: "地铁停运后回家不方便", time: t0, place: nil)
        #expect(garbage != bus)
        // Unrelated text, forced into the garbage cluster.
        let forced = index.add(id: "3", title: "出租车不打表", detail: "火车站出租车司机一口价", time: t0, place: nil,
                               placement: .join(garbage))
        #expect(forced == garbage)
        #expect(index.cluster(garbage)?.memberIDs == ["1", "3"])
        // The same text again, forced into a new cluster.
        let fresh = index.add(id: "4", title: "某某小区门口垃圾站臭气熏天", detail: "垃圾站长期不清理", time: t0, place: nil,
                              placement: .newCluster)
        #expect(fresh != garbage && fresh != bus)
        #expect(index.cluster(fresh)?.memberIDs == ["4"])
        // The default still picks the nearest (ids 1 and 4 are equally similar: one of their clusters).
        let nearest = index.add(id: "5", title: "某某小区门口垃圾站臭气熏天无人管", detail: "垃圾站长期不清理，夏天更臭",
                                time: t0, place: nil)
        #expect([garbage, fresh].contains(nearest))
        #expect(index.add(id: "6", title: "建议增开夜班公交线路", detail: "地铁停运后回家不方便", time: t0, place: nil,
                          placement: .nearest) == bus)
        #expect(index.clusters().map(\.size).reduce(0, +) == 6)
    }

    @Test("people and weights count every row: repeated or empty ids, and likes that are negative or huge")
    func rowsNotIds() throws {
        let base = Date(timeIntervalSince1970: 1_565_000_000)
        let rows = Self.planted["parking"]!.prefix(4).enumerated().map { i, text in
            AppealRecord(id: i < 2 ? "" : "same", title: text.0, detail: text.1, time: base + Double(i) * 3_600,
                         likes: i == 0 ? Int.max : -5, against: i == 0 ? Int.max : 0, user: "U\(i)")
        }
        let top = try #require(HotspotFinder(recognizer: TestPaths.places).find(rows, top: 1, ranking: .weighted).first)
        #expect(top.size == 4 && top.people == 4)
        #expect(top.ids == ["", "", "same", "same"])
        #expect(top.weight.isFinite && top.weight > 4)
    }

    @Test("the date formats of the appeal files and of exports")
    func dates() throws {
        let a = try #require(AppealDate.parse("2019/8/7 19:52:14"))
        let b = try #require(AppealDate.parse("2019-08-07 19:52:14"))
        #expect(a == b)
        #expect(AppealDate.iso8601(a) == "2019-08-07T19:52:14+08:00")
        #expect(AppealDate.parse("2019年8月7日 19:52:14") == a)
        #expect(AppealDate.parse("2019年8月7日19时52分14秒") == a)
        #expect(AppealDate.parse("2019.8.7") == AppealDate.parse("2019-08-07"))
        #expect(AppealDate.parse("2019-08-07T19:52:14") == a)
        #expect(AppealDate.parse("2019年13月7日") == nil)
        #expect(AppealDate.parse("yesterday") == nil)
        #expect(AppealDate.parse("2019-08-07T19:52:14+08:00") == a)
        #expect(AppealDate.parse("2019-08-07 19:52:14.250") == a)
        #expect(AppealDate.parse("2019/8/7 下午7:52:14") == a)
        #expect(AppealDate.parse("2019年8月7日 19时52分") == AppealDate.parse("2019-08-07 19:52"))
        // Not another day: a date that does not exist, a two-digit year, a time that is not one.
        #expect(AppealDate.parse("2019-02-30") == nil)
        #expect(AppealDate.parse("2019-02-29") == nil && AppealDate.parse("2020-02-29") != nil)
        #expect(AppealDate.parse("19/8/7") == nil)
        #expect(AppealDate.parse("2019/8/7 25:00") == nil)
        #expect(AppealDate.parse("2019/8/7 下午7点半") == nil)
    }
}
