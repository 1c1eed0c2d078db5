import Foundation
import Testing
@testable import MinhuText

/// Hand-labelled examples: (title, detail, category, channel, kind, urgency, tier).
private let table: [(String, String, String?, String?, String, String, String)] = [
    ("咨询公积金贷款额度", "请问首套房公积金贷款最多能贷多少？需要什么材料？", "城乡建设", nil, "consultation", "normal", "immediate"),
    ("请问新生儿医保如何办理", "孩子刚出生，想问一下在哪里办理城乡居民医保。", "劳动和社会保障", nil, "consultation", "normal", "immediate"),
    ("社保卡丢失怎么补办", "社保卡不小心丢了，能否在网上补办？", "劳动和社会保障", nil, "consultation", "normal", "immediate"),
    ("咨询小学入学政策", "外地户口的孩子是否可以在本区读公办小学？", "教育文体", nil, "consultation", "normal", "immediate"),
    ("老旧小区加装电梯补贴是否还有", "想了解今年加装电梯的补贴标准。", "城乡建设", nil, "consultation", "normal", "immediate"),
    ("咨询征地补偿标准", "村里修路征收了我家的自留地，想问补偿标准是多少？", nil, nil, "consultation", "normal", "research"),
    ("举报某化工厂夜间偷排污水", "每天凌晨工厂通过暗管把污水排进河里，河水发黑发臭。", "环境保护", nil, "report", "normal", "deadline"),
    ("举报无证经营的黑诊所", "小区门面有人无证行医，给老人输液。", "卫生计生", nil, "report", "normal", "deadline"),
    ("举报餐馆违规使用地沟油", "后厨回收泔水油炒菜，请食药监部门查处。", "商贸旅游", nil, "report", "normal", "deadline"),
    ("举报非法传销窝点", "出租屋里聚集了几十个外地年轻人，每天上课洗脑。", "商贸旅游", nil, "report", "normal", "deadline"),
    ("投诉工地夜间施工噪音扰民", "晚上十二点了还在打桩，吵得孩子睡不着。", "城乡建设", nil, "complaint", "normal", "deadline"),
    ("投诉物业乱收停车费", "物业未经业主大会同意擅自提高停车费。", "城乡建设", nil, "complaint", "normal", "deadline"),
    ("投诉出租车司机拒载", "晚上在火车站打车，司机嫌路近拒载。", "交通运输", nil, "complaint", "normal", "deadline"),
    ("楼下烧烤店油烟扰民", "每天晚上油烟直接排进住户窗户。", "环境保护", nil, "complaint", "normal", "deadline"),
    ("投诉拆迁安置房多年未交付", "征地拆迁已经五年了，安置房还没有建好，找了多个部门互相推诿。", "城乡建设", nil, "complaint", "normal", "research"),
    ("投诉小区规划变更损害业主权益", "开发商擅自变更规划，把绿地改成了商铺。", "城乡建设", nil, "complaint", "normal", "research"),
    ("反映企业改制职工养老问题", "单位改制时买断工龄，历史遗留问题一直没有解决。", "劳动和社会保障", nil, "complaint", "normal", "research"),
    ("投诉房产证办了八年还没下来", "开发商拖欠土地款导致业主办不了房产证。", "城乡建设", nil, "complaint", "normal", "research"),
    ("求助：父亲重病无钱医治", "家里困难，父亲住院急需手术费，请政府帮帮我们。", "卫生计生", nil, "help", "normal", "deadline"),
    ("求助找回走失的老人", "我爸爸有老年痴呆，今天早上出门后走失了。", nil, nil, "help", "emergency", "immediate"),
    ("农民工工资被拖欠求助", "干了一年活老板不给钱，过年回家的路费都没有。", "劳动和社会保障", nil, "help", "urgent", "deadline"),
    ("投诉老旧小区加装电梯补贴迟迟不到位", "去年申请的加装电梯补贴，至今没有发放。", "城乡建设", nil, "complaint", "normal", "research"),
    ("建议增开夜间公交线路", "希望在地铁停运后开通几条夜班公交。", "交通运输", nil, "suggestion", "normal", "deadline"),
    ("建议在学校门口设置减速带", "上下学时段车速太快，建议设置减速带和斑马线。", "交通运输", nil, "suggestion", "normal", "deadline"),
    ("建议公园延长开放时间", "夏天晚上散步的人多，希望公园晚上十点再关门。", "城乡建设", nil, "suggestion", "normal", "deadline"),
    ("小区燃气泄漏", "楼道里闻到很浓的煤气味，求助。", "城乡建设", nil, "help", "emergency", "immediate"),
    ("居民楼起火了", "3栋5楼冒烟起火，请马上处理。", "城乡建设", nil, "help", "emergency", "immediate"),
    ("电梯困人半小时无人处理", "两个老人被困在电梯里，物业电话打不通。", "城乡建设", nil, "help", "emergency", "immediate"),
    ("小区围墙出现裂缝随时可能倒塌", "围墙旁边是孩子们玩耍的地方。", "城乡建设", nil, "help", "emergency", "immediate"),
    ("投诉小区围墙随时可能倒塌物业不管", "多次反映物业不作为，围墙裂缝越来越大。", "城乡建设", nil, "complaint", "emergency", "immediate"),
    ("投诉化工厂烟囱天天冒烟", "化工厂的烟囱天天冒烟，污染严重，希望环保部门查处。", "环境保护", nil, "complaint", "normal", "deadline"),
    ("家里液化气罐漏气", "厨房的液化气罐阀门漏气，闻到很浓的气味，求助。", "城乡建设", nil, "help", "emergency", "immediate"),
    ("求助：楼道电表箱冒烟", "楼道里的电表箱一直在冒烟，有焦糊味，求助。", "城乡建设", nil, "help", "emergency", "immediate"),
    ("投诉工厂车间天天冒烟", "工厂车间天天冒烟，气味刺鼻，希望环保部门查处。", "环境保护", nil, "complaint", "normal", "deadline"),
    ("投诉楼下烧烤店油烟", "楼下烧烤店天天冒烟，油烟直接进屋。", "环境保护", nil, "complaint", "normal", "deadline"),
    ("投诉抽水泵漏气经常停抽", "水位低时连接头漏气，水泵断断续续停抽，希望水厂检修。", "城乡建设", nil, "complaint", "normal", "deadline"),
    ("小区已经停水两天了", "没有任何通知就停水，老人小孩都没水用，严重影响生活。", "城乡建设", nil, "complaint", "urgent", "deadline"),
    ("冬天暖气不热", "室内只有十二度，供暖公司说正常，投诉无门。", "城乡建设", nil, "complaint", "urgent", "deadline"),
    ("整栋楼突然停电", "晚上七点开始停电，冰箱里的药品需要冷藏。", "城乡建设", nil, "complaint", "urgent", "deadline"),
    ("代表建议统筹解决城区内涝问题", "每逢大雨多个片区积水，涉及住建、水务、城管多个部门，建议建立联动机制。", "城乡建设", "deputy", "suggestion", "urgent", "research"),
    ("代表反映村道路灯损坏", "村口路灯坏了一个月，村民夜间出行不便。", "城乡建设", "deputy", "complaint", "normal", "deadline"),
    ("代表咨询乡村教师补贴发放", "请问今年乡村教师生活补贴什么时候发放？", "教育文体", "deputy", "consultation", "normal", "immediate"),
]

@Suite("Appeal rules (kind, urgency, tier)")
struct AppealRulesTests {
    @Test("the hand-labelled table", arguments: table.indices)
    func labelled(_ i: Int) throws {
        let rules = try #require(TestPaths.rules)
        let (title, detail, category, channel, kind, urgency, tier) = table[i]
        let a = rules.assess(title: title, detail: detail, category: category, channel: channel)
        #expect(a.kind == kind, "\(title): kind \(a.kind) \(a.reasons)")
        #expect(a.urgency == urgency, "\(title): urgency \(a.urgency)")
        #expect(a.tier == tier, "\(title): tier \(a.tier) \(a.reasons)")
    }

    @Test("codes are always from the closed sets, even for empty text")
    func closedSets() throws {
        let rules = try #require(TestPaths.rules)
        for (t, d) in [("", ""), ("，。", "！！"), ("hello", "world")] {
            let a = rules.assess(title: t, detail: d)
            #expect(AppealRules.kinds.contains(a.kind))
            #expect(AppealRules.urgencies.contains(a.urgency))
            #expect(AppealRules.tiers.contains(a.tier))
        }
    }

    @Test("a pattern that backtracks catastrophically is abandoned within its time limit, reported, and not matched")
    func catastrophicPattern() throws {
        let rules = try #require(TestPaths.rules)
        var doc = rules.document
        doc.urgency.urgent.append("(\\p{Han}+)+吗")
        let abandoned = AbandonedPatterns()
        let edited = try AppealRules(document: doc, patternTimeLimit: 0.05) { abandoned.append($0) }
        // 40 Han characters and no 吗: 2^40 ways to split them, hours of backtracking without the limit.
        let detail = String(repeating: "路灯坏了很久没人修", count: 4) + "请处理。"
        let started = Date()
        #expect(edited.urgency(title: "", detail: detail) == "normal")
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(abandoned.patterns == ["(\\p{Han}+)+吗"])
        // The same pattern still matches where it matches quickly.
        #expect(edited.urgency(title: "", detail: "路灯坏了吗") == "urgent")
    }

    @Test("a rules file with an unknown urgency or version, a kind not in the priority or an empty pattern is refused")
    func incompleteRules() throws {
        let rules = try #require(TestPaths.rules)
        var urgency = rules.document
        urgency.tier.immediateUrgencies = ["Emergency"]
        #expect(throws: RulesError.self) { try AppealRules(document: urgency) }
        var version = rules.document
        version.version = 2
        #expect(throws: RulesError.self) { try AppealRules(document: version) }
        var priority = rules.document
        priority.kind.priority.removeAll { $0 == "suggestion" }
        #expect(throws: RulesError.self) { try AppealRules(document: priority) }
        var empty = rules.document
        empty.urgency.urgent.append("")
        #expect(throws: RulesError.self) { try AppealRules(document: empty) }
    }

    @Test("literal patterns match canonically equivalent spellings, as Foundation's contains did")
    func literalsMatchEquivalentSpellings() throws {
        let set = try PatternSet(["龜", "café", "漏水"])
        #expect(set.matches(in: "小区有\u{F907}") == ["龜"])        // a CJK compatibility ideograph
        #expect(set.matches(in: "楼下cafe\u{301}漏水") == ["café", "漏水"]) // a decomposed accent
        #expect(set.firstMatch(in: "没有") == nil)
        #expect(set.matches(in: "") == [])
    }

    @Test("literal patterns find on real messages exactly what Foundation's contains found",
          .enabled(if: TestPaths.hasAppeals))
    func literalsAgreeWithFoundation() throws {
        let rules = try #require(TestPaths.rules)
        let document = rules.document
        let lists = document.kind.rules.map(\.patterns) + [document.urgency.emergency, document.urgency.urgent,
                                                            document.tier.researchPatterns]
        let meta = CharacterSet(charactersIn: "\\^$.|?*+()[]{}")
        let literals = Array(Set(lists.joined().filter { !$0.unicodeScalars.contains(where: meta.contains) })).sorted()
        #expect(literals.count > 100)
        let set = try PatternSet(literals)
        let table = try CSVTable(contentsOf: TestPaths.appeals.appendingPathComponent("hotspot-corpus.csv"))
        let title = try #require(table.index(of: "title")), detail = try #require(table.index(of: "detail"))
        var found = 0
        for row in table.rows.prefix(1_500) {
            let text = row[title] + "。" + row[detail]
            let expected = literals.filter { text.contains($0) }
            #expect(set.matches(in: text) == expected, "\(row.first ?? "")")
            #expect(set.firstMatch(in: text) == expected.first)
            found += expected.count
        }
        #expect(found > 1_000, "the comparison saw matches")
    }

    @Test("a rules file with an unknown code is refused")
    func unknownCode() throws {
        let rules = try #require(TestPaths.rules)
        var doc = rules.document
        doc.kind.default = "praise"
        #expect(throws: RulesError.self) { try AppealRules(document: doc) }
    }
}

/// The rules on real messages labelled by hand: how often kind, urgency and tier agree with a person's reading,
/// with the category the shipped classifier gives (as the dispatcher does). `rules-real-60.json` is the set the
/// rules were revised on (its first 30 messages); `rules-fresh-40.json` was labelled after that revision.
@Suite("Appeal rules on real messages")
struct AppealRulesRealMessageTests {
    private struct Fixture: Decodable {
        struct Item: Decodable { var file: String, id: String, kind: String, urgency: String, tier: String }
        var items: [Item]
    }

    /// (fixture, messages, floors for kind, urgency, tier); measured 46 / 57 / 43 of 60 and 32 / 38 / 24 of 40.
    private static let sets: [(String, Int, Int, Int, Int)] = [
        ("rules-real-60.json", 60, 44, 55, 41),
        ("rules-fresh-40.json", 40, 30, 36, 23),
    ]

    @Test("agreement with hand labels", .enabled(if: TestPaths.hasAppeals), arguments: sets.indices)
    func agreement(_ set: Int) throws {
        let (name, count, kindFloor, urgencyFloor, tierFloor) = Self.sets[set]
        let rules = try #require(TestPaths.rules)
        let model = try #require(TestPaths.model)
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: TestPaths.fixtures.appendingPathComponent(name)))
        #expect(fixture.items.count == count)
        let messages = try Self.messages(of: fixture)
        var agree = (kind: 0, urgency: 0, tier: 0)
        var misses: [String] = []
        for item in fixture.items {
            let message = try #require(messages[item.file + "/" + item.id], "\(item.file) \(item.id)")
            let category = model.classify(title: message.title, detail: message.detail).category
            let a = rules.assess(title: message.title, detail: message.detail, category: category)
            if a.kind == item.kind { agree.kind += 1 } else { misses.append("\(item.id) kind \(a.kind)≠\(item.kind)") }
            if a.urgency == item.urgency { agree.urgency += 1 } else { misses.append("\(item.id) urgency \(a.urgency)≠\(item.urgency)") }
            if a.tier == item.tier { agree.tier += 1 } else { misses.append("\(item.id) tier \(a.tier)≠\(item.tier)") }
        }
        print("rules on \(name): kind \(agree.kind)/\(count), urgency \(agree.urgency)/\(count), tier \(agree.tier)/\(count); \(misses.joined(separator: "; "))")
        #expect(agree.kind >= kindFloor)
        #expect(agree.urgency >= urgencyFloor)
        #expect(agree.tier >= tierFloor)
    }

    /// Title and detail of the fixture's messages, keyed "file/id" (the first row of a repeated id).
    private static func messages(of fixture: Fixture) throws -> [String: (title: String, detail: String)] {
        var out: [String: (title: String, detail: String)] = [:]
        for file in Set(fixture.items.map(\.file)) {
            let table = try CSVTable(contentsOf: TestPaths.appeals.appendingPathComponent(file))
            let id = try #require(table.index(of: "id")), title = try #require(table.index(of: "title"))
            let detail = try #require(table.index(of: "detail"))
            for row in table.rows where out[file + "/" + row[id]] == nil { out[file + "/" + row[id]] = (row[title], row[detail]) }
        }
        return out
    }
}

/// The patterns a rules set reported abandoned (called from the matching thread).
private final class AbandonedPatterns: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ pattern: String) { lock.withLock { list.append(pattern) } }
    var patterns: [String] { lock.withLock { list } }
}
