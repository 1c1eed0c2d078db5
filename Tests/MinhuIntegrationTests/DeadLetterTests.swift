import Foundation
import MinhuMessaging
import MinhuModels
import Testing

/// `DeadLetter`: what an operator is shown of a dead letter, and the copy a replay sends (no I/O).
@Suite("Dead letters (pure)")
struct DeadLetterTests {
    static func letter(headers: [String: String], userID: String? = nil, deaths: [AMQPDeath] = [],
                       messageID: String = "6f1c2a1e-0d5b-4c49-9a57-2b1f4c3d2e10") -> DeadLetter {
        DeadLetter(AMQPDelivery(
            deliveryTag: 1, generation: 1, redelivered: false, exchange: MinhuTopology.dead,
            routingKey: "deadlines.events",
            properties: AMQPProperties(messageID: messageID, type: "appeal.dispatched",
                                       timestamp: Date(timeIntervalSince1970: 1_790_000_000),
                                       correlationID: "appeal-1", appID: "minhu-dispatcher", userID: userID,
                                       headers: headers, deaths: deaths),
            body: Data("{\"a\":1}".utf8)))
    }

    @Test("a consumer's copy: the reason, the origin, the sender; the replay drops what dead-lettering added")
    func consumerCopy() throws {
        let letter = Self.letter(headers: [
            "schema_version": "2", "x-minhu-error": "unknown department 'x'",
            "x-minhu-original-exchange": "minhu.events",
            "x-minhu-original-routing-key": "appeal.dispatched", "x-trace": "t-1",
        ])
        #expect(letter.origin == "consumer" && letter.reason == "unknown department 'x'")
        #expect(letter.sender == nil && letter.replays == 0)
        let copy = try letter.replayCopy(to: "deadlines.events", keepSender: false)
        #expect(copy.exchange == "" && copy.routingKey == "deadlines.events")
        #expect(copy.messageID.uuidString.lowercased() == letter.messageID)
        #expect(copy.type == "appeal.dispatched" && copy.appID == "minhu-dispatcher")
        #expect(copy.correlationID == "appeal-1")
        #expect(copy.schemaVersion == 2 && copy.body == letter.delivery.body && copy.userID == nil)
        #expect(copy.timestamp == Date(timeIntervalSince1970: 1_790_000_000))
        #expect(copy.headers["x-trace"] == "t-1" && copy.headers[DeadLetter.replayCountHeader] == "1")
        #expect(copy.headers.keys.allSatisfy { !DeadLetter.deadLetteringHeaders.contains($0) }, "\(copy.headers)")
    }

    @Test("the broker's dead letter (delivery limit): its reason; a replayed copy counts its replays")
    func brokerCopy() throws {
        let letter = Self.letter(headers: ["x-first-death-reason": "delivery_limit", "x-first-death-queue": "q",
                                           DeadLetter.replayCountHeader: "2"])
        #expect(letter.origin == "broker" && letter.reason == "broker: delivery_limit" && letter.replays == 2)
        let copy = try letter.replayCopy(to: "deadlines.events", keepSender: false)
        #expect(copy.headers[DeadLetter.replayCountHeader] == "3" && copy.headers["x-first-death-queue"] == nil)
    }

    @Test("a sender-checked queue's dead letter is replayed only with its sender, by its original route")
    func senderChecked() throws {
        let copied = Self.letter(headers: ["x-minhu-error": "r", "x-minhu-original-user-id": "integrator.wechat",
                                           "x-minhu-original-exchange": "minhu.intake",
                                           "x-minhu-original-routing-key": "wechat.supplement"])
        #expect(copied.sender == "integrator.wechat")
        #expect(throws: DeadLetterReplayRefusal.self) {
            try copied.replayCopy(to: "intake.channels", keepSender: false)
        }
        // Through minhu.intake with its key: intake reads the channel and kind from it, and only its queue is bound.
        let copy = try copied.replayCopy(to: "intake.channels", keepSender: true)
        #expect(copy.userID == "integrator.wechat" && copy.exchange == "minhu.intake")
        #expect(copy.routingKey == "wechat.supplement")
        // The broker's record of a crash loop: its x-death entry for the queue gives the route.
        let looped = Self.letter(headers: [:], userID: "integrator.web", deaths: [
            AMQPDeath(queue: "intake.channels", reason: "delivery_limit", exchange: "minhu.intake",
                      routingKeys: ["web.appeal"]),
        ])
        let loopedCopy = try looped.replayCopy(to: "intake.channels", keepSender: true)
        #expect(loopedCopy.userID == "integrator.web" && loopedCopy.routingKey == "web.appeal")
        // A route that would reach another queue (or none) is refused.
        let misrouted = Self.letter(headers: ["x-minhu-error": "r", "x-minhu-original-user-id": "integrator.web",
                                              "x-minhu-original-exchange": "minhu.intake",
                                              "x-minhu-original-routing-key": "web.survey-answer"])
        #expect(throws: DeadLetterReplayRefusal.self) {
            try misrouted.replayCopy(to: "intake.channels", keepSender: true)
        }
        let anonymous = Self.letter(headers: ["x-minhu-error": "r"])
        #expect(throws: DeadLetterReplayRefusal.self) {
            try anonymous.replayCopy(to: "deadlines.events", keepSender: true)
        }
    }

    @Test("on the broker's dead letter, headers its sender set are not taken for a consumer's record")
    func forgedHeaders() throws {
        let letter = Self.letter(
            headers: ["x-minhu-error": "looks fine", "x-minhu-original-user-id": "integrator.web",
                      "x-minhu-original-exchange": "minhu.intake", "x-minhu-original-routing-key": "web.appeal"],
            deaths: [AMQPDeath(queue: "intake.channels", reason: "delivery_limit", exchange: "minhu.intake",
                               routingKeys: ["wechat.appeal"])])
        #expect(letter.origin == "broker" && letter.reason == "broker: delivery_limit" && letter.sender == nil)
        #expect(letter.originalRoute(to: "intake.channels")?.routingKey == "wechat.appeal")
        #expect(throws: DeadLetterReplayRefusal.self) {
            try letter.replayCopy(to: "intake.channels", keepSender: true)
        }
    }

    @Test("a message id that is not a UUID is not replayed")
    func notAUUID() {
        let letter = Self.letter(headers: [:], messageID: "order-17")
        #expect(throws: DeadLetterReplayRefusal.self) {
            try letter.replayCopy(to: "deadlines.events", keepSender: false)
        }
    }
}
