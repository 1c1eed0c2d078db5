import Foundation
import Testing
@testable import MinhuText

@Suite("Taxonomy prior (the category tree as a feature block)")
struct TaxonomyPriorTests {
    static let rows: [(String, String, String)] = [
        ("城乡建设", "住房保障与房地产", "物业服务"),
        ("城乡建设", "城市建设和市政管理", "其他"),
        ("交通运输", "邮政管理", "快递市场管理"),
        ("交通运输", "道路运输", "服务质量"),
        ("环境保护", "环境污染", "臭氧超标"),
        ("农村农业", "农业生产", "种植业"),
    ]
    static let labels = ["交通运输", "城乡建设", "环境保护"]

    @Test("terms are the 2-4-character pieces of level-2 and level-3 names that one label alone owns")
    func terms() {
        let terms = TaxonomyPrior.terms(rows: Self.rows, labels: Self.labels)
        let transport = Set(terms[0]), building = Set(terms[1]), environment = Set(terms[2])
        #expect(transport.contains("快递") && transport.contains("邮政管理") && transport.contains("道路运输"))
        #expect(building.contains("物业") && building.contains("物业服务") && building.contains("房地产"))
        #expect(environment.contains("臭氧"))
        // 服务 occurs in 物业服务 (城乡建设) and 服务质量 (交通运输): it says nothing, so neither has it.
        #expect(!transport.contains("服务") && !building.contains("服务"))
        // 其他 is a catch-all, and classes the model does not predict give nothing.
        #expect(!building.contains("其他"))
        #expect(!terms.joined().contains("种植"))
        #expect(terms.allSatisfy { $0 == $0.sorted() })
        #expect(terms.joined().allSatisfy { (2...4).contains($0.count) })
    }

    @Test("a text counts each distinct term of each class once, by maximum matching, whatever the punctuation")
    func counts() {
        let prior = TaxonomyPrior(termsByClass: TaxonomyPrior.terms(rows: Self.rows, labels: Self.labels))
        // 快递, 快递市, 快递市场 … are all 交通运输's; repeating 快递 adds nothing.
        let parcel = prior.counts("快递 快递，快递！")
        #expect(parcel == [1, 0, 0])
        let mixed = prior.counts("小区物业不管，臭氧、臭氧")
        #expect(mixed[0] == 0 && mixed[1] == 1 && mixed[2] == 1)
        // The longest term at each place, once: 快递市场 is one term, not also 快递, 快递市 and 递市场.
        #expect(prior.counts("快递市场管理混乱") == [1, 0, 0])
        #expect(prior.counts("今天天气很好") == [0, 0, 0])
        #expect(prior.counts("") == [0, 0, 0])
    }

    @Test("a model trained with the tree stores its terms, round-trips, and learns a term no example holds")
    func model() throws {
        let topics = [("交通运输", ["公交 线路 站点 太少", "出租车 拒载 绕路", "快递 丢件 不赔", "公交车 司机 态度"]),
                      ("城乡建设", ["小区 物业 乱 收费", "路灯 坏了 没人 修", "物业 不 管 电梯", "道路 施工 围挡"]),
                      ("环境保护", ["工厂 排放 废气 污染", "河道 污染 严重", "夜间 噪音 扰民", "垃圾 焚烧 烟雾"])]
        let examples = ToyCorpus.examples(topics)
        var options = ClassifierTrainer.Options()
        options.features.dimensionBits = 12
        let (plain, _) = ClassifierTrainer(options: options).train(examples)
        options.features.taxonomyWeight = 2
        options.taxonomyRows = Self.rows
        let (withTree, _) = ClassifierTrainer(options: options).train(examples)

        let bytes = try withTree.encoded()
        let decoded = try TextClassifier(data: bytes)
        #expect(try decoded.encoded() == bytes)
        #expect(decoded.header.taxonomyTerms == TaxonomyPrior.terms(rows: Self.rows, labels: Self.labels))
        // The weights cover the hashed space plus one feature per class.
        #expect(bytes.count - (try plain.encoded()).count
                >= 3 * 3 * MemoryLayout<Int16>.size)
        // No example mentions 臭氧; the tree puts it beside 污染 under 环境保护, and only the model that read the tree
        // knows. Against a text of the same length that no example or term knows either, only that model leans.
        let k = decoded.labels.firstIndex(of: "环境保护")!
        let (ozone, neutral) = ("臭氧超标", "明天再说")
        #expect(decoded.classify(ozone).category == "环境保护")
        let lean = decoded.scores(ozone)[k] - decoded.scores(neutral)[k]
        let plainLean = plain.scores(ozone)[k] - plain.scores(neutral)[k]
        #expect(lean > plainLean + 0.1, "\(lean) vs \(plainLean)")
    }

    /// A model of two labels and a 2^10 space, trained on eight short texts.
    static func tinyModel() -> TextClassifier {
        var examples: [LabeledText] = []
        for (label, text) in [("甲", "公交 线路"), ("乙", "工厂 废气")] {
            for k in 0..<4 { examples.append(LabeledText(id: "\(label)\(k)", text: text + " \(k)", label: label)) }
        }
        var options = ClassifierTrainer.Options()
        options.features.dimensionBits = 10
        return ClassifierTrainer(options: options).train(examples).0
    }

    @Test("a header with a taxonomy weight but no terms is refused")
    func badHeader() throws {
        let model = Self.tinyModel()
        var header = model.header
        header.features.taxonomyWeight = 1
        let broken = TextClassifier(header: header, dictionary: model.dictionaryHashes, idf: model.idf, weights: model.weights)
        #expect(throws: ModelError.self) { try TextClassifier(data: try broken.encoded()) }
    }

    @Test("a header whose feature settings would trap or allocate without bound at the first text is refused")
    func featureSettingsOutOfRange() throws {
        let model = Self.tinyModel()
        #expect(try TextClassifier(data: try model.encoded()).classify("公交").category == "甲")
        let edits: [(inout TextClassifier.ModelHeader) -> Void] = [
            { $0.features.maxN = 0 }, { $0.features.maxN = 1 << 40 }, { $0.features.maxChars = 0 },
            { $0.features.wordMinLength = 0 }, { $0.features.wordMaxLength = 1 }, { $0.features.headLength = -1 },
        ]
        for (index, edit) in edits.enumerated() {
            var header = model.header
            edit(&header)
            let broken = TextClassifier(header: header, dictionary: model.dictionaryHashes, idf: model.idf,
                                        weights: model.weights)
            #expect(throws: ModelError.self, "edit \(index)") { try TextClassifier(data: try broken.encoded()) }
        }
    }
}
