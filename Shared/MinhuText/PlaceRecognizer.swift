import Foundation

/// A place named in an appeal.
public struct PlaceMention: Sendable, Equatable, Codable {
    /// `district`, `street` (街道, or a town: 镇), `community` (社区, or a village: 村), `estate` (小区/花园/苑…) or
    /// `road` (路/街/大道).
    public var kind: String
    /// The canonical name (an alias is reported under its canonical name).
    public var name: String
    /// The district the gazetteer gives the place, if any.
    public var district: String?
    /// Offset of the mention in Unicode scalars of the text.
    public var offset: Int
}

/// The places of one appeal, most specific first.
public struct RecognizedPlaces: Sendable, Equatable {
    public var district: String?
    public var street: String?
    public var community: String?
    public var estate: String?
    public var road: String?
    /// Every mention, in text order.
    public var mentions: [PlaceMention]
    /// The prefecture-level cities the text names (administrative codes, and the gazetteer's city when one of its
    /// districts or its name occurs), sorted; see `RegionCodes`. From `recognize(title:detail:)`, also the
    /// districts its title names (`"A市>A7县"`).
    public var regions: [String] = []

    /// The most specific place (estate, community, road, street, then district), for display.
    public var primary: String? { estate ?? community ?? road ?? street ?? district }
    /// A short label: district and the most specific place, e.g. "A2区 丽发新城".
    public var label: String? {
        let specific = estate ?? community ?? road ?? street
        switch (district, specific) {
        case let (d?, s?): return d + " " + s
        case let (d?, nil): return d
        case let (nil, s?): return s
        default: return nil
        }
    }
}

/// Finds districts, streets, communities, estates and roads in raw Chinese text: longest match over a
/// gazetteer trie (names and aliases), plus a pattern for road names ("XX路", "XX大道", "XX街") the
/// gazetteer lacks; the district is inferred from a recognised place when the text names none.
///
/// ```swift
/// let places = try PlaceRecognizer.loadShipped().recognize("A2区丽发新城附近搅拌站噪音扰民")
/// // places.district == "A2区", places.estate == "丽发新城"
/// ```
public struct PlaceRecognizer: Sendable {
    /// The gazetteer file's shape (see docs/classifier.md).
    public struct Gazetteer: Codable, Sendable {
        public struct District: Codable, Sendable {
            public var name: String
            public var aliases: [String]?
        }
        public struct Place: Codable, Sendable {
            public var name: String
            public var kind: String
            public var district: String?
            public var aliases: [String]?
        }
        public var version: Int
        public var city: String
        public var districts: [District]
        public var places: [Place]
    }

    struct Entry: Sendable {
        var kind: String
        var name: String
        var district: String?
    }

    private var nodes: [[UInt32: Int32]] = [[:]]
    private var terminal: [Int32] = [-1]
    private var entries: [Entry] = []
    public let gazetteer: Gazetteer
    private let homeScalars: [UInt32]

    /// Characters that end a place name read backwards from its suffix: function words, administrative units, counters.
    static let nameStops: Set<UInt32> = Set("道处镇乡村市省区县的了是在和与及我你他她它们这那个些有无不也都很就还要被把对向从到于条号栋楼层单室期间时年日为让给由经沿离近旁往至其中包括据该此每过请将等条".unicodeScalars.map(\.value))
    /// 中 is part of many roads (人民中路, 中山路, 中意一路) and starts other names (中海国际社区, 中航城丽园), unless it
    /// ends a word: 其中, 之中, 途中, 集中 … (and, but for roads, 施工中小区: 中 after a character that can be in a name).
    static let zhong: UInt32 = ("中" as Unicode.Scalar).value
    static let zhongWordStarts: Set<UInt32> = Set("其之途集空心期当正".unicodeScalars.map(\.value))
    /// 月 and 元 end a date or a sum after a numeral ("8月起", "两千万元") and are part of names elsewhere (月亮岛路,
    /// 月湖小区, 开元路, 福元路).
    static let stopsAfterNumeral: Set<UInt32> = Set("月元".unicodeScalars.map(\.value))
    static let numerals: Set<UInt32> = Set("0123456789０１２３４５６７８９零〇一二三四五六七八九十百千万两几半".unicodeScalars.map(\.value))
    /// Words that end like a road, a town or a village but name none.
    static let commonPlaceWords: Set<String> = ["线路", "道路", "铁路", "公路", "马路", "电路", "网路", "思路", "出路", "套路", "门路",
                                               "水路", "陆路", "进路", "后路", "退路", "来路", "走路", "修路", "去路", "上路", "半路",
                                               "引路", "迷路", "带路", "让路", "跑路", "之路", "之心路", "养路", "生路", "隐患路", "满大街", "商业街", "步行街", "小吃街", "老街", "一条街", "高速路",
                                               "十字路",
                                               "城镇", "乡镇", "集镇", "街镇", "重镇", "名镇", "农村", "乡村", "山村", "渔村", "城中村",
                                               "自然村", "行政村", "贫困村", "示范村", "重点村", "试点村", "文明村", "特色村", "空心村",
                                               "生态村", "小康村"]

    public init(gazetteer: Gazetteer) {
        self.gazetteer = gazetteer
        homeScalars = gazetteer.city.unicodeScalars.map(\.value)
        for d in gazetteer.districts {
            for n in [d.name] + (d.aliases ?? []) { insert(n, Entry(kind: "district", name: d.name, district: d.name)) }
        }
        for p in gazetteer.places {
            for n in [p.name] + (p.aliases ?? []) { insert(n, Entry(kind: p.kind, name: p.name, district: p.district)) }
        }
    }

    public init(contentsOf url: URL) throws {
        let gazetteer = try DataFile.decodeJSON(Gazetteer.self, from: url)
        if let problem = Self.problem(in: gazetteer) { throw DataFileError.invalid(url.path, problem) }
        self.init(gazetteer: gazetteer)
    }

    /// The kinds a place may have (a district is listed under `districts`).
    public static let placeKinds = ["street", "community", "estate", "road"]

    /// What makes `gazetteer` unusable, with its path, or nil. A place of an unknown kind used to load, fill no field
    /// of a result, and hide the place from the pattern fallback as well (its characters counted as matched).
    public static func problem(in gazetteer: Gazetteer) -> String? {
        guard gazetteer.version == 1 else {
            return "version \(gazetteer.version) is not supported (this build reads 1)"
        }
        guard !gazetteer.city.isEmpty else { return "city: empty" }
        let districts = Set(gazetteer.districts.map(\.name))
        for (index, district) in gazetteer.districts.enumerated()
        where district.name.isEmpty || (district.aliases ?? []).contains("") {
            return "districts[\(index)]: an empty name or alias"
        }
        for (index, place) in gazetteer.places.enumerated() {
            if place.name.isEmpty || (place.aliases ?? []).contains("") {
                return "places[\(index)]: an empty name or alias"
            }
            if !placeKinds.contains(place.kind) {
                let expected = placeKinds.joined(separator: ", ")
                return "places[\(index)].kind: unknown kind '\(place.kind)' (expected \(expected))"
            }
            if let district = place.district, !districts.contains(district) {
                return "places[\(index)].district: '\(district)' is not one of the gazetteer's districts"
            }
        }
        return nil
    }

    /// The shipped gazetteer (`models/gazetteer-a-city.json`, or `MINHU_GAZETTEER_FILE`).
    public static func loadShipped(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PlaceRecognizer {
        if let path = environment["MINHU_GAZETTEER_FILE"], !path.isEmpty { return try PlaceRecognizer(contentsOf: URL(fileURLWithPath: path)) }
        guard let url = ShippedModel.locate(resource: ShippedModel.gazetteerFileName) else {
            throw ModelError.notFound("models/\(ShippedModel.gazetteerFileName)")
        }
        return try PlaceRecognizer(contentsOf: url)
    }

    private mutating func insert(_ name: String, _ entry: Entry) {
        var node = 0
        for s in name.unicodeScalars {
            if let next = nodes[node][s.value] { node = Int(next); continue }
            nodes.append([:])
            terminal.append(-1)
            nodes[node][s.value] = Int32(nodes.count - 1)
            node = nodes.count - 1
        }
        if terminal[node] < 0 {
            entries.append(entry)
            terminal[node] = Int32(entries.count - 1)
        }
    }

    /// The places of an appeal, from its title and the first 400 characters of its detail (what the similarity
    /// index and the hotspots use), with the districts its title names added to the regions: the title says where
    /// the matter is, while a district in the detail is often only where the writer lives.
    public func recognize(title: String, detail: some StringProtocol) -> RecognizedPlaces {
        var result = recognize(title + "。" + detail.prefix(400))
        let titleLength = title.unicodeScalars.count
        var districts = RegionCodes.districts(in: title)
        if !gazetteer.city.isEmpty {
            for m in result.mentions where m.kind == "district" && m.offset < titleLength {
                districts.append(RegionCodes.district(m.name, in: gazetteer.city))
            }
        }
        if !districts.isEmpty { result.regions = Array(Set(result.regions + districts)).sorted() }
        return result
    }

    /// Every place in `text` (at most the first 20,000 characters are read).
    public func recognize(_ text: String) -> RecognizedPlaces {
        let s = Array(text.unicodeScalars.prefix(20_000).map(\.value))
        var mentions: [PlaceMention] = []
        var covered = [Bool](repeating: false, count: s.count)
        var i = 0
        while i < s.count {
            var node = 0
            var best: (Int, Int32)?
            var j = i
            while j < s.count, let next = nodes[node][s[j]] {
                node = Int(next)
                j += 1
                if terminal[node] >= 0 { best = (j, terminal[node]) }
            }
            if let (end, e) = best {
                let entry = entries[Int(e)]
                // "A1区" inside an estate name ("天健盛世A1区") still names a district; keep it.
                mentions.append(PlaceMention(kind: entry.kind, name: entry.name, district: entry.district, offset: i))
                for k in i..<end { covered[k] = true }
                i = end
            } else {
                i += 1
            }
        }
        mentions += patternMentions(s, covered: covered)
        mentions.sort { $0.offset < $1.offset }
        var result = RecognizedPlaces(mentions: mentions)
        result.regions = RegionCodes.find(in: s)
        let home = gazetteer.city
        if !home.isEmpty, !result.regions.contains(home),
           mentions.contains(where: { $0.kind == "district" }) || Self.contains(s, homeScalars) {
            result.regions = (result.regions + [home]).sorted()
        }
        func first(_ kind: String) -> PlaceMention? { mentions.first { $0.kind == kind } }
        result.street = first("street")?.name
        result.community = first("community")?.name
        result.estate = first("estate")?.name
        result.road = first("road")?.name
        if let d = first("district") {
            result.district = d.name
        } else {
            // Inferred from the most specific recognised place that has one.
            for kind in ["estate", "community", "street", "road"] {
                if let d = mentions.first(where: { $0.kind == kind && $0.district != nil })?.district {
                    result.district = d
                    break
                }
            }
        }
        return result
    }

    /// True when `needle` (non-empty) occurs in `s`.
    static func contains(_ s: [UInt32], _ needle: [UInt32]) -> Bool {
        guard let head = needle.first, s.count >= needle.count else { return false }
        var i = 0
        while i + needle.count <= s.count {
            if s[i] == head && s[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    /// A suffix recognised by pattern when the gazetteer lacks the name.
    struct PatternSuffix: Sendable {
        var scalars: [UInt32]
        var kind: String
        /// The longest body read before the suffix.
        var maxBody: Int
        /// The suffix ends no name when the next character is one of these (街道 is not 街, 村民 not a village) …
        var notBefore: Set<UInt32> = []
        /// … or when the character in front of it is one of these (咸嘉新村, 泰华一村 are estates).
        var notAfter: Set<UInt32> = []

        init(_ suffix: String, _ kind: String, _ maxBody: Int, notBefore: String = "", notAfter: String = "") {
            scalars = suffix.unicodeScalars.map(\.value)
            self.kind = kind
            self.maxBody = maxBody
            self.notBefore = Set(notBefore.unicodeScalars.map(\.value))
            self.notAfter = Set(notAfter.unicodeScalars.map(\.value))
        }

        /// Whether the suffix at `k..<end` of `s` may end a name, judged by its neighbours.
        func fits(_ s: [UInt32], _ k: Int, _ end: Int) -> Bool {
            !(end < s.count && notBefore.contains(s[end])) && !(k > 0 && notAfter.contains(s[k - 1]))
        }
    }

    /// Suffixes recognised by pattern, in the order they are tried at a position. A town (镇) is a street's rural
    /// peer, a village (村) a community's: 村 before 民, 干, 委, 里 … is a word of its own (村民, 村干部), after 新 or a
    /// numeral it ends an estate's name; 镇 before 压, 定, 痛 … is a verb or a drug (镇压, 镇痛). A township (乡) is a
    /// town's peer, but 乡 is mostly a word's: not before 村, 镇, 亲, 下 … (乡村, 乡镇, 乡亲, 乡下) nor after 城, 家, 返,
    /// 回, 同, 老, 县 … (城乡, 家乡, 返乡, 老乡, 县乡).
    static let patternSuffixes: [PatternSuffix] = [
        .init("街道", "street", 5), .init("社区", "community", 6), .init("小区", "estate", 7), .init("花园", "estate", 6),
        .init("家园", "estate", 6), .init("新城", "estate", 6), .init("新村", "estate", 5), .init("苑", "estate", 6),
        .init("大道", "road", 4), .init("路", "road", 4), .init("街", "road", 4, notBefore: "道"),
        .init("镇", "street", 4, notBefore: "定压痛静守"),
        .init("乡", "street", 4, notBefore: "村镇亲下土音愁里间情邻民", notAfter: "城家返回思下同老他异故本各个的们在全该此我县市区和或等族之归八"),
        .init("村", "community", 4, notBefore: "民庄落干委支书两组级务主长集上部镇领里名", notAfter: "新一二三四五六七八九十"),
    ]

    /// Words that start false candidates ("严重影响小区", "进出小区").
    static let noiseStarts: [String] = ["之前", "严重", "影响", "明显", "什么", "创建", "知名", "觉得", "毁坏", "规定", "早已", "进出",
        "绕着", "造成", "改造", "分流", "十分", "人员", "入学", "主干", "百米", "一名", "繁华", "希望", "政府", "或者", "只留", "当地",
        "曝光", "促进", "整个", "周边", "附近", "所在", "各个", "所有", "现在", "目前", "以前", "我们", "他们", "你们", "大家", "一个",
        "一些", "相关", "有关", "部分", "很多", "许多", "其他", "其它", "多个", "两个", "几个", "管理", "物业", "业主", "居民", "开发",
        "建设", "新建", "在建", "老旧", "安置", "购买", "买了", "入住", "进入", "离开", "经过", "通过", "导致", "发现", "要求", "没有",
        "不能", "不是", "已经", "正在", "还是", "如果", "因为", "所以", "但是", "而且", "并且", "同时", "然后", "甚至", "投诉", "反映",
        "举报", "修建", "高档", "本来", "代表", "按照", "直通", "进行", "退出", "加上", "提高", "移交", "建议", "询问", "所属", "大型",
        "文明", "和谐", "美丽", "城市", "农村", "全市", "全省", "全区", "全县", "该", "本", "此", "这", "那", "各", "每",
        "督促", "立即", "再三", "多次", "刚出"]

    /// Names by pattern: 2…n Han characters (no stop character, no noise start) before a place suffix, outside
    /// gazetteer matches. Roads exclude common words (马路, 道路, 公路…).
    private func patternMentions(_ s: [UInt32], covered: [Bool]) -> [PlaceMention] {
        var out: [PlaceMention] = []
        var k = 0
        scan: while k < s.count {
            if covered[k] { k += 1; continue }
            for pattern in Self.patternSuffixes {
                let (suffix, kind, maxBody) = (pattern.scalars, pattern.kind, pattern.maxBody)
                let end = k + suffix.count
                guard end <= s.count, s[k] == suffix[0], s[k..<end].elementsEqual(suffix), pattern.fits(s, k, end) else { continue }
                var start = k
                while start > 0 && k - start < maxBody {
                    let c = s[start - 1]
                    if !TextNormalizer.isHan(c) || covered[start - 1] { break }
                    if c == Self.zhong {
                        // Inside a road's name (人民中路); else only at a name's start (中海国际社区), not 施工中小区.
                        let before: UInt32? = start >= 2 ? s[start - 2] : nil
                        if let b = before, Self.zhongWordStarts.contains(b) { break }
                        if kind != "road", let b = before, TextNormalizer.isHan(b), !Self.nameStops.contains(b), !covered[start - 2] { break }
                    } else if Self.nameStops.contains(c) { break }
                    if Self.stopsAfterNumeral.contains(c) && start >= 2 && Self.numerals.contains(s[start - 2]) { break }
                    start -= 1
                }
                // Trim a leading noise word.
                var name = String.UnicodeScalarView()
                for v in s[start..<end] { if let u = Unicode.Scalar(v) { name.append(u) } }
                var str = String(name)
                var trimmed = 0
                while let noise = Self.noiseStarts.first(where: { str.hasPrefix($0) }) {
                    str = String(str.dropFirst(noise.count))
                    trimmed += noise.unicodeScalars.count
                }
                let body = str.unicodeScalars.count - suffix.count
                if body >= 2 && !Self.commonPlaceWords.contains(where: { str.hasSuffix($0) }) {
                    out.append(PlaceMention(kind: kind, name: str, district: nil, offset: start + trimmed))
                }
                k = end
                continue scan
            }
            k += 1
        }
        return out
    }
}
