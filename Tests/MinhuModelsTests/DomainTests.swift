import Foundation
import Testing
@testable import MinhuModels

@Suite("Domain types")
struct DomainTests {
    @Test("every lifecycle event moves to a status, and ranks follow the life of an appeal")
    func statusRanks() {
        #expect(AppealStatus(event: .appealReceived) == .received)
        #expect(AppealStatus(event: .appealProgressed) == .inProgress)
        #expect(AppealStatus(event: .deadlineWarning) == nil)
        let order: [AppealStatus] = [.reopened, .received, .classified, .dispatched, .signed, .inProgress, .replied,
                                     .evaluated, .dissatisfied, .closed]
        for (earlier, later) in zip(order, order.dropFirst()) {
            #expect(earlier.lifecycleRank < later.lifecycleRank, "\(earlier) before \(later)")
        }
        #expect(AppealStatus.awaitingCitizen.lifecycleRank == AppealStatus.inProgress.lifecycleRank)
        #expect(AppealStatus.returned.lifecycleRank > AppealStatus.signed.lifecycleRank)
        #expect(AppealStatus.closed.isTerminal && !AppealStatus.replied.isTerminal)
        #expect(Set(AppealStatus.allCases.map(\.chineseName)).count == AppealStatus.allCases.count)
    }

    @Test("lifecycle positions order by round, attempt, rank, then time")
    func positions() {
        let t0 = Date(timeIntervalSince1970: 1_000)
        let t1 = t0.addingTimeInterval(60)
        let replied = LifecyclePosition(round: 1, attempt: 1, rank: AppealStatus.replied.lifecycleRank, occurredAt: t1)
        let signed = LifecyclePosition(round: 1, attempt: 1, rank: AppealStatus.signed.lifecycleRank, occurredAt: t1)
        let redispatched = LifecyclePosition(round: 1, attempt: 2, rank: AppealStatus.dispatched.lifecycleRank,
                                             occurredAt: t0)
        let reopened = LifecyclePosition(round: 2, attempt: 0, rank: AppealStatus.reopened.lifecycleRank,
                                         occurredAt: t0)
        #expect(signed < replied)
        #expect(replied < redispatched)
        #expect(redispatched < reopened)
        let earlyProgress = LifecyclePosition(round: 1, attempt: 1, rank: 60, occurredAt: t0)
        let lateProgress = LifecyclePosition(round: 1, attempt: 1, rank: 60, occurredAt: t1)
        #expect(earlyProgress < lateProgress)

        let event = AppealSigned(appealId: UUID(), caseNumber: "1", round: 1, attempt: 2, occurredAt: t0,
                                 departmentCode: "housing")
        #expect(event.lifecyclePosition == LifecyclePosition(round: 1, attempt: 2, rank: 50, occurredAt: t0))
        #expect(event.correlationID == event.appealId.uuidString)
    }

    @Test("department codes are single routing-key words")
    func departmentCodes() throws {
        #expect(Department(code: "urban-management", name: "市城管委") != nil)
        #expect(Department(code: "Urban", name: "x") == nil)
        #expect(Department(code: "a.b", name: "x") == nil)
        #expect(Department(code: "", name: "x") == nil)
        let decoded = try MinhuJSON.decode(Department.self, from: Data(#"{"code":"housing","name":"市住建局"}"#.utf8))
        #expect(decoded.code == "housing")
        #expect(throws: DecodingError.self) {
            try MinhuJSON.decode(Department.self, from: Data(#"{"code":"Housing!","name":"x"}"#.utf8))
        }
    }

    @Test("deputy levels have Chinese names and order")
    func deputyLevels() {
        #expect(DeputyLevel.allCases.count == 5)
        #expect(DeputyLevel.city.chineseName == "市级")
        #expect(DeputyLevel.national.deputyTitle == "全国人大代表")
        #expect(DeputyLevel(codeOrChineseName: "乡镇级") == .township)
        #expect(DeputyLevel(codeOrChineseName: "provincial") == .provincial)
        #expect(DeputyLevel.township < DeputyLevel.national)
    }

    @Test("an appeal becomes appeal.received with the citizen masked")
    func appealReceived() throws {
        let deputy = Deputy(name: "刘代表", level: .city, phone: "139-1234-5678")
        #expect(deputy.phone == "13912345678")
        var appeal = Appeal(caseNumber: "20250609-000001", channel: .hotline, title: "噪音扰民", body: "夜间施工噪音",
                            submittedAt: Date(timeIntervalSince1970: 1_749_432_600),
                            citizen: Citizen(name: "赵六", phone: "13912345678"))
        appeal.attribute(to: deputy)
        let event = AppealReceived(appeal: appeal, occurredAt: appeal.submittedAt)
        #expect(event.round == 1 && event.attempt == 0)
        #expect(event.citizen.phone == "139****5678")
        #expect(event.fromDeputy && event.deputyLevel == .city && event.deputyId == deputy.id)
        let json = String(decoding: try MinhuJSON.encode(event), as: UTF8.self)
        #expect(!json.contains("13912345678"))
        #expect(!json.contains("赵六"))
    }

    @Test("routing keys of department actions and intake messages")
    func routingKeys() {
        #expect(DepartmentAction.awaitingCitizen.routingKey(department: "housing") == "housing.awaiting-citizen")
        #expect(DepartmentAction.parse(routingKey: "housing.extension-requested")?.action == .extensionRequested)
        #expect(DepartmentAction.parse(routingKey: "housing.extension-requested")?.departmentCode == "housing")
        #expect(DepartmentAction.parse(routingKey: "housing.signed.x") == nil)
        #expect(DepartmentAction.parse(routingKey: "housing.approved") == nil)
        #expect(DepartmentAction.parse(routingKey: "Housing.signed") == nil)
        #expect(IntakeMessageKind.parse(routingKey: "wechat.survey-answer")?.kind == .surveyAnswer)
        #expect(IntakeMessageKind.parse(routingKey: "wechat.survey-answer")?.channel == .wechat)
        #expect(IntakeMessageKind.parse(routingKey: "wechat") == nil)
        #expect(MessageRoute.department(code: "housing", action: .replied)
            == MessageRoute(exchange: "minhu.department", routingKey: "housing.replied"))
        #expect(MessageRoute.outbound(channel: .mailbox).routingKey == "mailbox")
        for action in DepartmentAction.allCases {
            #expect(action.payloadType.action == action)
            #expect(action.payloadType.schemaName == "department-\(action.rawValue)")
            #expect(AppealStatus(event: action.eventType) != nil)
        }
        for kind in IntakeMessageKind.allCases {
            #expect(kind.payloadType.messageType == "intake.\(kind.rawValue)")
        }
    }

    @Test("a category writes unresolved levels as null, and reads them back either way")
    func categoryNulls() throws {
        let json = String(decoding: try MinhuJSON.encode(CategoryPath(level1: "城乡建设")), as: UTF8.self)
        #expect(json.contains("\"level2\":null") && json.contains("\"level3\":null"), "\(json)")
        #expect(try MinhuJSON.decode(CategoryPath.self, from: Data(json.utf8)) == CategoryPath(level1: "城乡建设"))
        #expect(try MinhuJSON.decode(CategoryPath.self, from: Data(#"{"level1":"城乡建设"}"#.utf8))
            == CategoryPath(level1: "城乡建设"))
        let full = CategoryPath(level1: "城乡建设", level2: "市政设施", level3: "路灯")
        #expect(try MinhuJSON.decode(CategoryPath.self, from: MinhuJSON.encode(full)) == full)
    }
}
