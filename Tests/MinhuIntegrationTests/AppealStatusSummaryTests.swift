import Foundation
import MinhuModels
import MinhuService
import Testing

/// The status summary's ordering rules (DESIGN §2), without I/O.
@Suite("Intake: status summary ordering")
struct AppealStatusSummaryTests {
    let appeal = UUID()
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    func at(_ minutes: Double) -> Date { start.addingTimeInterval(minutes * 60) }

    var received: AppealStatusSummary {
        AppealStatusSummary(status: .received, position: LifecyclePosition(round: 1, attempt: 0, rank: 10, occurredAt: start),
                            lastEvent: "appeal.received")
    }

    func classified(round: Int = 1, _ minute: Double) -> AppealClassified {
        AppealClassified(appealId: appeal, caseNumber: "C", round: round, attempt: 0, occurredAt: at(minute),
                         category: CategoryPath(level1: "城乡建设", level2: "噪音"), confidence: 0.9, kind: .complaint,
                         urgency: .normal, tier: .deadline, place: Place(), manual: false, departmentCode: "housing")
    }

    func dispatched(round: Int = 1, attempt: Int, to department: String, _ minute: Double) -> AppealDispatched {
        AppealDispatched(appealId: appeal, caseNumber: "C", round: round, attempt: attempt, occurredAt: at(minute),
                         departmentCode: department, signBy: at(minute + 60), replyBy: at(minute + 1000 * Double(attempt)),
                         policy: "default", tier: .deadline, urgency: .normal)
    }

    func apply(_ events: [any LifecycleEventPayload], to summary: AppealStatusSummary) -> AppealStatusSummary {
        events.reduce(summary) { $0.applying($1) ?? $0 }
    }

    @Test("in order: classified, dispatched, signed")
    func inOrder() {
        let result = apply([classified(1), dispatched(attempt: 1, to: "water", 2),
                            AppealSigned(appealId: appeal, caseNumber: "C", round: 1, attempt: 1, occurredAt: at(3), departmentCode: "water")],
                           to: received)
        #expect(result.status == .signed)
        #expect(result.category == "城乡建设/噪音")
        #expect(result.leadDepartment == "water")
        #expect(result.dueAt == at(1002))
    }

    @Test("out of order: dispatched before classified keeps the status and still takes the category")
    func outOfOrder() {
        let result = apply([dispatched(attempt: 1, to: "water", 2), classified(1)], to: received)
        #expect(result.status == .dispatched)
        #expect(result.category == "城乡建设/噪音")
        #expect(result.leadDepartment == "water")
    }

    @Test("a return and a redispatch: the second attempt's department and due time win, a late event of attempt 1 is ignored")
    func redispatch() {
        let returned = AppealReturned(appealId: appeal, caseNumber: "C", round: 1, attempt: 1, occurredAt: at(5),
                                      departmentCode: "water", reason: "不属于本单位职责")
        let lateSigned = AppealSigned(appealId: appeal, caseNumber: "C", round: 1, attempt: 1, occurredAt: at(4),
                                      departmentCode: "water")
        let result = apply([dispatched(attempt: 1, to: "water", 2), returned, dispatched(attempt: 2, to: "housing", 6), lateSigned],
                           to: received)
        #expect(result.status == .dispatched)
        #expect(result.leadDepartment == "housing")
        #expect(result.dueAt == at(2006))
        #expect(result.position.attempt == 2)
    }

    @Test("a supplement answers 待群众补充, a decided extension 申请延期: 处理中 again; not otherwise, not stale ones")
    func answers() {
        let waiting = apply([dispatched(attempt: 1, to: "water", 2),
                             AppealAwaitingCitizen(appealId: appeal, caseNumber: "C", round: 1, attempt: 1,
                                                   occurredAt: at(5), departmentCode: "water", reason: "请补充照片")],
                            to: received)
        #expect(waiting.status == .awaitingCitizen)
        func supplement(attempt: Int = 1, _ minute: Double) -> AppealSupplemented {
            AppealSupplemented(appealId: appeal, caseNumber: "C", round: 1, attempt: attempt, occurredAt: at(minute),
                               channel: .wechat, text: "照片已上传")
        }
        let answered = apply([supplement(9)], to: waiting)
        #expect(answered.status == .inProgress && answered.lastEvent == "appeal.supplemented")
        #expect(waiting.applying(supplement(4)) == nil)  // from before the wait
        #expect(waiting.applying(supplement(attempt: 0, 9)) == nil)  // another assignment's
        #expect(apply([dispatched(attempt: 1, to: "water", 2)], to: received).applying(supplement(9)) == nil)

        let requested = apply([dispatched(attempt: 1, to: "water", 2),
                               AppealExtensionRequested(appealId: appeal, caseNumber: "C", round: 1, attempt: 1,
                                                        occurredAt: at(5), departmentCode: "water", workingDays: 3,
                                                        reason: "需现场勘查")], to: received)
        #expect(requested.status == .extensionRequested)
        for approved in [true, false] {
            let decided = DeadlineChanged(appealId: appeal, caseNumber: "C", round: 1, attempt: 1, occurredAt: at(8),
                                          departmentCode: "water", reason: .extension, replyBy: at(3000),
                                          extensionWorkingDays: approved ? 3 : 0, approved: approved,
                                          decidedBy: "centre")
            #expect(apply([decided], to: requested).status == .inProgress)
        }
        let paused = DeadlineChanged(appealId: appeal, caseNumber: "C", round: 1, attempt: 1, occurredAt: at(8),
                                     departmentCode: "water", reason: .pause, decidedBy: "minhu-deadlines")
        #expect(apply([paused], to: requested).status == .extensionRequested)
    }

    @Test("a co-department's actions do not move the case's status; the lead department's do")
    func coDepartment() {
        let dispatched = apply([dispatched(attempt: 1, to: "water", 2)], to: received)
        let byPower = AppealReturned(appealId: appeal, caseNumber: "C", round: 1, attempt: 1, occurredAt: at(3),
                                     departmentCode: "power", reason: "不属于本单位")
        #expect(dispatched.applying(byPower) == nil)
        let byWater = AppealSigned(appealId: appeal, caseNumber: "C", round: 1, attempt: 1, occurredAt: at(4),
                                   departmentCode: "water")
        #expect(dispatched.applying(byWater)?.status == .signed)
    }

    @Test("a reopening starts round 2; a stale round-1 event after it is ignored")
    func reopening() {
        let closed = AppealClosed(appealId: appeal, caseNumber: "C", round: 1, attempt: 1, occurredAt: at(50),
                                  reason: .evaluated, satisfaction: nil, closedBy: "evaluation")
        let reopened = AppealReopened(appealId: appeal, caseNumber: "C", round: 2, attempt: 0, occurredAt: at(60),
                                      previousRound: 1, reason: "群众不满意", decidedBy: "centre")
        let stale = AppealReplied(appealId: appeal, caseNumber: "C", round: 1, attempt: 1, occurredAt: at(40),
                                  departmentCode: "water", reply: "已处理", resolved: true)
        let afterClose = apply([dispatched(attempt: 1, to: "water", 2), closed], to: received)
        #expect(afterClose.closed && afterClose.status == .closed)
        let result = apply([reopened, stale], to: afterClose)
        #expect(result.status == .reopened)
        #expect(result.position.round == 2)
        #expect(!result.closed)
        #expect(result.applying(stale) == nil)
        let round2 = apply([dispatched(round: 2, attempt: 1, to: "housing", 70)], to: result)
        #expect(round2.status == .dispatched && round2.leadDepartment == "housing" && round2.position.round == 2)
    }
}
