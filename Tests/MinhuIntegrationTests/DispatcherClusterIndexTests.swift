import Foundation
import MinhuModels
import MinhuService
import Testing

/// The dispatcher's clustering without servers: its own similarity index keeps appeals about one matter in two cities
/// of a province in two clusters (as `minhu hotspots` does), a hotspot's place is the one most members name, and
/// people are counted by a key of the masked phone.
@Suite("Dispatcher: cities, places and people of clusters (no servers)")
struct DispatcherClusterIndexTests {
    @Test("the same complaint about D市 and M市 starts two clusters; a second D市 one joins the first")
    func citiesApart() throws {
        let analyzer = try MinhuTextAnalyzer.load(environment: [:])
        var index = analyzer.makeClusterIndex(window: 30 * 86_400)
        let t0 = Date(timeIntervalSince1970: 1_600_000_000)
        let detail = "糖果KTV每天营业到凌晨三点，音响声音很大，附近居民无法入睡，请环保部门处理。"
        let d = index.add(id: "1", title: "投诉D市糖果KTV噪音扰民", detail: detail, time: t0, place: nil, placement: .nearest)
        let m = index.add(id: "2", title: "投诉M市糖果KTV噪音扰民", detail: detail, time: t0 + 60, place: nil, placement: .nearest)
        let again = index.add(id: "3", title: "D市糖果KTV噪音扰民严重", detail: detail, time: t0 + 120, place: nil, placement: .nearest)
        #expect(d != m)
        #expect(again == d)
    }

    @Test("a hotspot's place is the one most members name, once enough of them do")
    func prevailingPlace() {
        let lifa = "{\"road\":\"丽发新城\",\"district\":\"A2区\"}"
        let a2 = "{\"district\":\"A2区\"}"
        // The first member names no place; most name 丽发新城.
        let members: [(key: String?, json: String?)] = [(nil, "{}"), ("A2区", a2), ("丽发新城", lifa), ("丽发新城", lifa), ("丽发新城", nil)]
        #expect(ClusterRegistry.prevailingPlace(members) == lifa)
        // A tie goes to the key named first; rows from before 0010 (no JSON) count, but a key needs one whole place.
        #expect(ClusterRegistry.prevailingPlace([("A2区", a2), ("丽发新城", lifa), ("A2区", nil), ("丽发新城", nil)]) == a2)
        #expect(ClusterRegistry.prevailingPlace([("丽发新城", nil), ("丽发新城", nil)]) == nil)
        // Fewer than two members, or under 30 % of the window: the place stays as it is.
        #expect(ClusterRegistry.prevailingPlace([("丽发新城", lifa)]) == nil)
        let scattered: [(key: String?, json: String?)] = [("丽发新城", lifa), ("丽发新城", lifa)] + Array(repeating: (nil, "{}"), count: 6)
        #expect(ClusterRegistry.prevailingPlace(scattered) == nil)
    }

    @Test("people are counted by a key of the masked phone; anonymous appeals and rows without a key count one each")
    func people() {
        let a = ClusterRegistry.citizenKey(MaskedCitizen(name: "张*", phone: "138****8001"))
        let b = ClusterRegistry.citizenKey(MaskedCitizen(name: "李*", phone: "139****8002"))
        #expect(a != nil && a != b && a?.count == 16 && a?.contains("8001") == false)
        #expect(ClusterRegistry.citizenKey(MaskedCitizen(name: "王*", phone: "138****8001")) == a)
        #expect(ClusterRegistry.citizenKey(MaskedCitizen(phone: "138****8001", anonymous: true)) == nil)
        #expect(ClusterRegistry.citizenKey(MaskedCitizen(phone: " ")) == nil)
        // A local landline number's mask keeps two digits: no key, so two such callers are two people, not one.
        #expect(Citizen.maskPhone("8452 2178") == "****78")
        #expect(ClusterRegistry.citizenKey(MaskedCitizen(phone: Citizen.maskPhone("8452 2178"))) == nil)
        #expect(ClusterRegistry.citizenKey(MaskedCitizen(phone: Citizen.maskPhone("0731-8452 2178"))) != nil)
        #expect(ClusterRegistry.citizenKey(MaskedCitizen(phone: Citizen.maskPhone("13800138001"))) == a)
        #expect(ClusterRegistry.people([a, b, a, nil, nil]) == 4)
        #expect(ClusterRegistry.people([]) == 0)
    }

    @Test("the appeal's own address is read before its text; a district it gives overrules the text's places")
    func placeFromAddress() throws {
        let analyzer = try MinhuTextAnalyzer.load(environment: [:])
        let handler = DispatcherClassificationHandler(
            analyzer: analyzer, settings: DispatcherSettings(),
            clusters: ClusterRegistry(analyzer: analyzer, windowDays: 30))
        let body = "我住在A2区丽发新城，单位门口的路灯坏了一个月，晚上很黑。"
        let addressed = DispatcherHarness.received(title: "路灯不亮", body: body,
                                                   location: Location(address: "A5区魅力之城小区东门"))
        let byAddress = handler.analyze(addressed).place
        #expect(byAddress.district == "A5区" && byAddress.road == "魅力之城小区", "\(byAddress)")
        let given = DispatcherHarness.received(title: "路灯不亮", body: body,
                                               location: Location(district: "A3区", address: "单位门口"))
        let byDistrict = handler.analyze(given).place
        #expect(byDistrict == Place(district: "A3区"), "丽发新城 is in A2区: \(byDistrict)")
        // The address agrees with the given district; the text names another one, which is dropped, not the address.
        let elsewhere = DispatcherHarness.received(title: "小区电梯经常故障", body: "我在A5区上班，每天回家电梯都坏。",
                                                   location: Location(district: "A2区", address: "丽发新城3栋"))
        let byBoth = handler.analyze(elsewhere).place
        #expect(byBoth.district == "A2区" && byBoth.road == "丽发新城", "\(byBoth)")
        let textOnly = handler.analyze(DispatcherHarness.received(title: "路灯不亮", body: body)).place
        #expect(textOnly.district == "A2区" && textOnly.road == "丽发新城", "\(textOnly)")
    }
}
