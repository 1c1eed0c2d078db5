import Testing
@testable import MinhuText

@Suite("TwinLabeler")
struct TwinLabelerTests {
    static let road = "A市西湖建筑集团占道施工有安全隐患。每天尤其上下班期间这条路上人流车流极多，安全隐患非常大。"
    static let fees = "小区物业违规收取停车费，业主多次反映无果，希望有关部门尽快处理。"
    static let lift = "我们小区的电梯经常出故障，物业一直不修，老人上下楼非常困难。"

    @Test("a raw message takes the label of its segmented twin and keeps its own id and text")
    func labelsThroughTwin() {
        let messages = [LabeledText(id: "r1", text: Self.road, label: "ignored"),
                        LabeledText(id: "r2", text: Self.fees, label: ""),
                        LabeledText(id: "r3", text: Self.lift, label: "")]
        let labelled = [
            LabeledText(id: "s1", text: "市 西湖 建筑 集团 占 道 施工 安全隐患 每天 尤其 上下班 期间 条 路上 人流 车流 安全隐患", label: "城乡建设"),
            LabeledText(id: "s2", text: "小区 物业 违规 收取 停车费 业主 多次 反映 无果 希望 有关 部门 尽快 处理", label: "城乡建设"),
            LabeledText(id: "s3", text: "小区 物业 违规 收取 停车费 业主 多次 反映 无果", label: "商贸旅游"),
            LabeledText(id: "s4", text: "公交 线路 站点 太少 出行 不便", label: "交通运输"),
        ]
        let outcome = TwinLabeler().label(messages, through: labelled)
        #expect(outcome.labelled.map(\.id) == ["r1"])
        #expect(outcome.labelled.first?.label == "城乡建设")
        #expect(outcome.labelled.first?.text == Self.road)
        // r2's two twins disagree: left out and counted; r3 has no twin.
        #expect(outcome.conflicting == 1)
    }

    @Test("rows without a label lend none")
    func unlabelledRowsLendNothing() {
        let outcome = TwinLabeler().label([LabeledText(id: "r1", text: Self.fees, label: "")],
                                          through: [LabeledText(id: "s", text: "小区 物业 违规 收取 停车费 业主 多次 反映 无果", label: "")])
        #expect(outcome.labelled.isEmpty)
        #expect(outcome.conflicting == 0)
    }
}
