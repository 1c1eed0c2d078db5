import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import Testing

/// `minhu deadletters list|replay|drop` against the real broker: dead letters from a consumer's refusal and from
/// the broker's delivery limit are listed without being taken, replayed to their queue with their message id,
/// dropped, and a sender-checked queue's dead letters are replayed only with their sender.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["MINHU_TEST_AMQP_URL"] != nil, "no test broker"))
struct DeadLetterCommandTests {
    let logger = Logger(label: "dead-letter-command-test")
    static let queue = "deadlines.events"

    /// Runs `minhu` with `MINHU_AMQP_URL` = `url`; returns (exit status, output).
    static func minhu(_ arguments: [String], url: AMQPURL) async throws -> (Int32?, String) {
        try await ChildProcess.with("minhu", arguments: arguments,
                                    environment: ["PATH": "/usr/bin:/bin", "MINHU_AMQP_URL": url.testURL]) {
            (await $0.waitForExit(timeout: .seconds(120)), $0.log)
        }
    }

    static func count(_ queue: String, url: AMQPURL) async throws -> Int {
        try await TopologyDeclarer.status(of: [queue], url: url)[queue]?.messages ?? -1
    }

    /// An `appeal.dispatched`-typed event straight to `queue` (the test stands in for the dispatcher).
    func event(_ n: Int, to queue: String = Self.queue) -> OutgoingMessage {
        OutgoingMessage(exchange: "", routingKey: queue, type: "appeal.dispatched", timestamp: Date(),
                        correlationID: "appeal-\(n)", appID: "minhu-dispatcher",
                        headers: ["x-trace": "trace-\(n)"], body: Data("{\"n\":\(n)}".utf8))
    }

    /// Takes one delivery from `queue` (or nil within 10 s).
    func take(from consumer: AMQPConsumer) async -> AMQPDelivery? {
        await withTaskGroup(of: AMQPDelivery?.self) { group in
            group.addTask {
                for await batch in consumer.batches { return batch.first }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test("list shows both kinds without taking them; replay by id keeps the message; drop removes; --all empties")
    func listReplayDrop() async throws {
        try await TestBroker.withVhost { url in
            try await TopologyDeclarer.declare(MinhuTopology.make(departments: ["housing"], channels: []), url: url)
            let publisher = AMQPPublisher(url: url, logger: logger)
            let refusedA = event(1), refusedB = event(2), looping = event(3)
            #expect(allConfirmed(try await publisher.publish([refusedA, refusedB])))
            // A consumer refuses the first two (as minhu-deadlines does an unknown department) …
            let consumer = AMQPConsumer(url: url, queue: Self.queue, prefetch: 1, logger: logger)
            for _ in 0..<2 {
                let delivery = try #require(await take(from: consumer))
                try await consumer.deadLetter(delivery, reason: "unknown department 'nowhere'", via: publisher)
            }
            // … and the third goes round until the broker dead-letters it (the delivery limit).
            #expect(allConfirmed(try await publisher.publish([looping])))
            for _ in 0...Int(MinhuTopology.deliveryLimit) {
                guard let delivery = await take(from: consumer) else { break }
                await consumer.reject(delivery, requeue: true)
            }
            await consumer.shutdown()
            let dead = "dead.\(Self.queue)"
            try await expectEventually(timeout: .seconds(30), "three dead letters") {
                try await Self.count(dead, url: url) == 3
            }

            let (listed, listing) = try await Self.minhu(["deadletters", "list", Self.queue, "--json"], url: url)
            #expect(listed == 0, "\(listing)")
            let objects = listing.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(objects.count == 3, "\(listing)")
            let byID = Dictionary(objects.map { ($0["message_id"] as? String ?? "", $0) },
                                  uniquingKeysWith: { first, _ in first })
            let idA = refusedA.messageID.uuidString.lowercased(), idB = refusedB.messageID.uuidString.lowercased()
            let idLoop = looping.messageID.uuidString.lowercased()
            #expect(byID[idA]?["reason"] as? String == "unknown department 'nowhere'")
            #expect(byID[idA]?["origin"] as? String == "consumer" && byID[idA]?["body"] == nil)
            #expect(byID[idLoop]?["origin"] as? String == "broker")
            #expect(byID[idLoop]?["reason"] as? String == "broker: delivery_limit", "\(byID[idLoop] ?? [:])")
            #expect(try await Self.count(dead, url: url) == 3, "list took dead letters")

            let (counted, counts) = try await Self.minhu(["deadletters", "list", "--departments", "housing"], url: url)
            #expect(counted == 0 && counts.contains("\(dead)\t3") && counts.contains("3 dead letters in"), "\(counts)")

            // Replay one by id: it comes back to its queue with its id, body and headers, and leaves the dead queue.
            let (replayed, replayOutput) = try await Self.minhu(["deadletters", "replay", Self.queue, "--id", idA],
                                                                url: url)
            #expect(replayed == 0 && replayOutput.contains("1 replayed to \(Self.queue)"), "\(replayOutput)")
            let reader = AMQPConsumer(url: url, queue: Self.queue, prefetch: 10, logger: logger)
            let back = try #require(await take(from: reader))
            await reader.ack(back)
            await reader.shutdown()
            #expect(back.messageID == refusedA.messageID && back.body == refusedA.body)
            #expect(back.properties.headers["x-trace"] == "trace-1" && back.properties.headers["x-minhu-error"] == nil)
            #expect(back.properties.headers[DeadLetter.replayCountHeader] == "1")
            #expect(back.properties.correlationID == "appeal-1" && back.properties.appID == "minhu-dispatcher")
            #expect(try await Self.count(dead, url: url) == 2)

            // An id that is not there: an error, nothing changed.
            let (missing, missingOutput) = try await Self.minhu(
                ["deadletters", "replay", Self.queue, "--id", UUID().uuidString], url: url)
            #expect(missing == 1 && missingOutput.contains("not found"), "\(missingOutput)")
            #expect(try await Self.count(dead, url: url) == 2)

            let (dropped, dropOutput) = try await Self.minhu(["deadletters", "drop", dead, "--id", idB], url: url)
            #expect(dropped == 0 && dropOutput.contains("1 dropped"), "\(dropOutput)")
            #expect(try await Self.count(dead, url: url) == 1)

            let (all, allOutput) = try await Self.minhu(["deadletters", "replay", Self.queue, "--all"], url: url)
            #expect(all == 0 && allOutput.contains(idLoop), "\(allOutput)")
            #expect(try await Self.count(dead, url: url) == 0)
            #expect(try await Self.count(Self.queue, url: url) == 1)

            let (bad, badOutput) = try await Self.minhu(["deadletters", "replay", Self.queue], url: url)
            #expect(bad == 64 && badOutput.contains("--id"), "\(badOutput)")
            await publisher.shutdown()
        }
    }

    @Test("a sender-checked queue: refused without --keep-sender, and by the broker without the impersonator tag")
    func senderCheckedReplay() async throws {
        let broker = try TestBroker.fromEnvironment()
        try await TestBroker.withVhost { url in
            try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: url)
            let queue = "intake.channels"
            // The test's broker user publishes as its own user_id, as an integrator does.
            let publisher = AMQPPublisher(url: url, logger: logger)
            let appeal = OutgoingMessage(exchange: MinhuTopology.intake, routingKey: "wechat.appeal",
                                         type: "intake.appeal", timestamp: Date(), appID: "wechat-adapter",
                                         userID: url.user, body: Data("{}".utf8))
            #expect(allConfirmed(try await publisher.publish([appeal])))
            let consumer = AMQPConsumer(url: url, queue: queue, prefetch: 1, logger: logger)
            let delivery = try #require(await take(from: consumer))
            try await consumer.deadLetter(delivery, reason: "database bug", via: publisher)
            await consumer.shutdown()
            await publisher.shutdown()
            try await expectEventually(timeout: .seconds(30)) { try await Self.count("dead.\(queue)", url: url) == 1 }

            // A least-privilege operations user: read the dead-letter queues, write the default exchange.
            let ops = "ops-\(UUID().uuidString.prefix(8).lowercased())"
            try await broker.management("PUT", "/api/users/\(ops)", body: ["password": "secret", "tags": ""])
            do {
                try await replayAs(ops, broker: broker, url: url, queue: queue, appeal: appeal)
                _ = try? await broker.management("DELETE", "/api/users/\(ops)", body: nil)
            } catch {
                _ = try? await broker.management("DELETE", "/api/users/\(ops)", body: nil)
                throw error
            }
        }
    }

    /// The operations user `ops` (BrokerPermissions.operations) lists and replays `queue`'s one dead letter
    /// (`appeal`, sent by the vhost's user).
    func replayAs(_ ops: String, broker: TestBroker, url: AMQPURL, queue: String,
                  appeal: OutgoingMessage) async throws {
        let opsURL = url.with(user: ops, password: "secret")
        // Without read on the dead-letter queue: refused at once, naming the broker's reason.
        try await broker.management("PUT", "/api/permissions/\(url.vhost)/\(ops)",
                                    body: ["configure": "^$", "write": "^amq\\.default$", "read": "^$"])
        let (unreadable, unreadableOutput) = try await Self.minhu(["deadletters", "list", queue], url: opsURL)
        #expect(unreadable == 1 && unreadableOutput.contains("Error: dead.\(queue): broker refused (403)"),
                "\(unreadableOutput)")
        let grant = BrokerPermissions.operations  // what `minhu topology permissions` prints for minhu-ops
        try await broker.management("PUT", "/api/permissions/\(url.vhost)/\(ops)",
                                    body: ["configure": grant.configure, "write": grant.write, "read": grant.read])

        let (listed, listing) = try await Self.minhu(["deadletters", "list", queue], url: opsURL)
        #expect(listed == 0 && listing.contains("sender \(url.user)"), "\(listing)")
        let (plain, plainOutput) = try await Self.minhu(["deadletters", "replay", queue, "--all"], url: opsURL)
        #expect(plain == 1 && plainOutput.contains("authenticates each message's sender"), "\(plainOutput)")
        let (untagged, untaggedOutput) = try await Self.minhu(
            ["deadletters", "replay", queue, "--all", "--keep-sender"], url: opsURL)
        #expect(untagged == 1 && untaggedOutput.contains("the broker refused the copy"), "\(untaggedOutput)")
        #expect(try await Self.count("dead.\(queue)", url: url) == 1)
        #expect(try await Self.count(queue, url: url) == 0)

        try await broker.management("PUT", "/api/users/\(ops)", body: ["password": "secret", "tags": "impersonator"])
        let (kept, keptOutput) = try await Self.minhu(["deadletters", "replay", queue, "--all", "--keep-sender"],
                                                       url: opsURL)
        #expect(kept == 0, "\(keptOutput)")
        let reader = AMQPConsumer(url: url, queue: queue, prefetch: 1, logger: logger)
        let back = try #require(await take(from: reader))
        await reader.ack(back)
        await reader.shutdown()
        #expect(back.messageID == appeal.messageID && back.properties.userID == url.user)
        #expect(try await Self.count("dead.\(queue)", url: url) == 0)
    }

    @Test("a supplement that came before its appeal, replayed with its sender after the appeal: intake applies it",
          .enabled(if: TestDatabase.isConfigured))
    func replayedSupplementIsApplied() async throws {
        let broker = try TestBroker.fromEnvironment()
        try await TestBroker.withVhost { url in
            let wechat = try await TestBroker.createIntegrator(channel: "wechat", in: url, topicPermissions: true)
            try await IntakeHarness.run(amqpURL: url) { intake in
                let publisher = AMQPPublisher(url: wechat, logger: logger)
                let early = try MessageEnvelope.message(
                    IntakeSupplement(externalId: "wx-late-1", text: "补充：照片见附件", submittedAt: Date()),
                    route: .intake(channel: .wechat, kind: .supplement), producer: "adapter", at: Date(),
                    userID: "integrator.wechat")
                #expect(allConfirmed(try await publisher.publish([early])))
                try await expectEventually(timeout: .seconds(60), "the early supplement dead-lettered") {
                    try await Self.count("dead.intake.channels", url: url) == 1
                }
                let appeal = IntakeAppeal(externalId: "wx-late-1", kind: .help, title: "路灯不亮",
                                          body: "樊城区人民路路灯连续三晚不亮，夜间出行不安全。", submittedAt: Date(),
                                          citizen: Citizen(name: "李四", phone: "13900139000"))
                let message = try MessageEnvelope.message(appeal, route: .intake(channel: .wechat, kind: .appeal),
                                                          producer: "adapter", at: Date(), userID: "integrator.wechat")
                #expect(allConfirmed(try await publisher.publish([message])))
                await publisher.shutdown()
                try await expectEventually(timeout: .seconds(60), "the appeal recorded") {
                    try await intake.count("SELECT count(*) FROM appeals WHERE external_id = 'wx-late-1'") == 1
                }

                let ops = "ops-\(UUID().uuidString.prefix(8).lowercased())"
                let grant = BrokerPermissions.operations
                try await broker.management("PUT", "/api/users/\(ops)", body: ["password": "secret",
                                                                               "tags": "impersonator"])
                do {
                    try await broker.management("PUT", "/api/permissions/\(url.vhost)/\(ops)",
                                                body: ["configure": grant.configure, "write": grant.write,
                                                       "read": grant.read])
                    let (status, output) = try await Self.minhu(
                        ["deadletters", "replay", "intake.channels", "--all", "--keep-sender"],
                        url: url.with(user: ops, password: "secret"))
                    #expect(status == 0 && output.contains("1 replayed"), "\(output)")
                    _ = try? await broker.management("DELETE", "/api/users/\(ops)", body: nil)
                } catch {
                    _ = try? await broker.management("DELETE", "/api/users/\(ops)", body: nil)
                    throw error
                }
                try await expectEventually(timeout: .seconds(60), "the replayed supplement applied") {
                    try await intake.count("SELECT count(*) FROM appeal_supplements") == 1
                }
                #expect(try await Self.count("dead.intake.channels", url: url) == 0)
            }
        }
    }
}
