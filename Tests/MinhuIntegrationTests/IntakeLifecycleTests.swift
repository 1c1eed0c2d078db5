import Foundation
import MinhuMessaging
import MinhuModels
import MinhuService
import Testing

/// The status summary over the broker: lifecycle events published on `minhu.events` reach intake through
/// `intake.events` and move what `GET /v1/appeals/{case}` and Open311 show.
@Suite("Intake: status from lifecycle events on the broker", .enabled(if: TestDatabase.isConfigured))
struct IntakeLifecycleTests {
    func publish(_ events: [any EventPayload], url: AMQPURL, producer: String = "minhu-dispatcher") async throws {
        let publisher = AMQPPublisher(url: url, logger: TestDatabase.logger)
        let messages = try events.map { try MessageEnvelope.event($0, producer: producer, at: Date()) }
        let outcomes = try await publisher.publish(messages)
        await publisher.shutdown()
        #expect(allConfirmed(outcomes))
    }

    func status(_ intake: IntakeHarness, _ caseNumber: String, key: String) async throws -> [String: Any] {
        let view = try await intake.request("GET", "/v1/appeals/\(caseNumber)", key: key)
        return (try JSONSerialization.jsonObject(with: view.body) as? [String: Any]) ?? [:]
    }

    @Test("out of order, a return and redispatch, closing and reopening into round 2: the views follow, stale events are ignored")
    func followsEvents() async throws {
        try await TestBroker.withVhost { url in
            try await IntakeHarness.run(amqpURL: url) { intake in
                let agent = try await intake.key(.agent)
                let answer = try MinhuJSON.decode(IdempotentSubmission.Answer.self,
                                                  from: try await intake.post(IntakeHarness.appealJSON(), key: agent).body)
                let (id, number) = (answer.appealId, answer.caseNumber)
                let t0 = Date()
                func at(_ minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }
                let classified = AppealClassified(appealId: id, caseNumber: number, round: 1, attempt: 0, occurredAt: at(1),
                                                  category: CategoryPath(level1: "城乡建设"), confidence: 0.93,
                                                  kind: .complaint, urgency: .normal, tier: .deadline, place: Place(),
                                                  manual: false, departmentCode: "housing")
                func dispatched(round: Int = 1, attempt: Int, to department: String, _ minute: Double) -> AppealDispatched {
                    AppealDispatched(appealId: id, caseNumber: number, round: round, attempt: attempt, occurredAt: at(minute),
                                     departmentCode: department, signBy: at(minute + 60), replyBy: at(minute + 7200),
                                     policy: "default", tier: .deadline, urgency: .normal)
                }
                // Dispatched (attempt 1) published before classified.
                try await publish([dispatched(attempt: 1, to: "housing", 2), classified], url: url)
                try await expectEventually(timeout: .seconds(120)) {
                    let view = try await status(intake, number, key: agent)
                    return view["status"] as? String == "dispatched" && view["category"] as? String == "城乡建设"
                }
                // Returned, then redispatched to another department (attempt 2); a late attempt-1 signing is stale.
                let returned = AppealReturned(appealId: id, caseNumber: number, round: 1, attempt: 1, occurredAt: at(3),
                                              departmentCode: "housing", reason: "不属于本单位职责")
                let lateSigned = AppealSigned(appealId: id, caseNumber: number, round: 1, attempt: 1, occurredAt: at(2.5),
                                              departmentCode: "housing")
                try await publish([returned, dispatched(attempt: 2, to: "transport", 4)], url: url)
                try await expectEventually(timeout: .seconds(120)) {
                    try await status(intake, number, key: agent)["lead_department"] as? String == "transport"
                }
                try await publish([lateSigned], url: url)
                try await expectEventually(timeout: .seconds(120)) {
                    try await intake.count("SELECT count(*) FROM inbox WHERE consumer = 'intake.events'") == 5
                }
                #expect(try await status(intake, number, key: agent)["status"] as? String == "dispatched")
                let open311 = try await intake.request("GET", "/open311/v2/requests/\(number).json")
                let entry = ((try JSONSerialization.jsonObject(with: open311.body) as? [[String: Any]]) ?? []).first ?? [:]
                #expect(entry["status"] as? String == "open")
                #expect(entry["agency_responsible"] as? String == "市交通运输局")
                #expect(entry["expected_datetime"] is String)
                // Replied, closed, then reopened into round 2; a stale round-1 reply after that is ignored.
                let replied = AppealReplied(appealId: id, caseNumber: number, round: 1, attempt: 2, occurredAt: at(10),
                                            departmentCode: "transport", reply: "已安排整改", resolved: true)
                let closed = AppealClosed(appealId: id, caseNumber: number, round: 1, attempt: 2, occurredAt: at(20),
                                          reason: .evaluated, closedBy: "minhu-evaluation")
                try await publish([replied, closed], url: url)
                try await expectEventually(timeout: .seconds(120)) {
                    try await status(intake, number, key: agent)["closed"] as? Bool == true
                }
                let closedEntry = try await intake.request("GET", "/open311/v2/requests/\(number).json")
                #expect(String(decoding: closedEntry.body, as: UTF8.self).contains("\"status\":\"closed\""))
                let reopened = AppealReopened(appealId: id, caseNumber: number, round: 2, attempt: 0, occurredAt: at(30),
                                              previousRound: 1, reason: "群众不满意", decidedBy: "minhu-supervision")
                try await publish([reopened], url: url, producer: "minhu-supervision")
                try await publish([replied], url: url, producer: "minhu-dispatcher")
                try await expectEventually(timeout: .seconds(120)) {
                    try await intake.count("SELECT count(*) FROM inbox WHERE consumer = 'intake.events'") == 9
                }
                let view = try await status(intake, number, key: agent)
                #expect(view["status"] as? String == "reopened" && view["round"] as? Int == 2 && view["closed"] as? Bool == false)
                let reopenedEntry = try await intake.request("GET", "/open311/v2/requests/\(number).json")
                let text = String(decoding: reopenedEntry.body, as: UTF8.self)
                #expect(text.contains("\"status\":\"open\"") && text.contains("reopened"))
            }
        }
    }
}
