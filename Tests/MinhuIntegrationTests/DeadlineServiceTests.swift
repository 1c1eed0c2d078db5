import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import MinhuService
import MinhuStorage
import PostgresNIO
import Testing

/// Fixtures of the deadlines service tests: a Monday-morning dispatch in March 2024 (no holidays nearby), Shanghai
/// time. Monday 4 March 10:00 + 5 working days → Monday 11 March 17:00; sign-by (1 working day) → Tuesday 17:00.
enum DeadlineFixtures {
    static let zone = WorkingCalendar.defaultTimeZone
    static let logger = TestDatabase.logger

    /// A Shanghai local time.
    static func at(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0, _ second: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute,
                                                  second: second))!
    }

    static let dispatchTime = at(2024, 3, 4, 10)

    static func context() throws -> DeadlineContext { try DeadlineContext.builtIn() }

    static func dispatched(_ appeal: UUID, case caseNumber: String = "T-0001", round: Int = 1, attempt: Int = 1,
                           at time: Date = dispatchTime, department: String = "water") throws -> AppealDispatched {
        let context = try context()
        let reply = DeadlineCalculator.due(limit: .workingDays(5), receivedAt: time, calendar: context.calendar)
        let sign = DeadlineCalculator.due(policy: context.policies.signBy, receivedAt: time, calendar: context.calendar)
        return AppealDispatched(appealId: appeal, caseNumber: caseNumber, round: round, attempt: attempt,
                                occurredAt: time, departmentCode: department, signBy: sign, replyBy: reply,
                                policy: "no-such-policy-use-working-days", tier: .deadline, urgency: .normal,
                                workingDays: 5)
    }

    /// Applies events through the handler in one transaction, appending what it emits to the outbox.
    static func apply(_ events: [any EventPayload], handler: DeadlineEventHandler, database: MinhuDatabase)
        async throws {
        let context = try context()
        try await database.withTransaction { connection in
            var out: [OutgoingMessage] = []
            for event in events {
                out += try await handler.apply(event, context: context, on: connection, logger: logger)
            }
            try await OutboxWriter.append(out, producer: DeadlineContext.producer, on: connection, logger: logger)
        }
    }

    static func clocks(_ appeal: UUID, _ database: MinhuDatabase) async throws -> [DeadlineClockRow] {
        try await database.withConnection { connection in
            try await DeadlineClockRow.all(appealID: appeal, on: connection, logger: logger)
        }
    }

    static func clock(_ appeal: UUID, _ kind: DeadlineClock, attempt: Int = 1, _ database: MinhuDatabase)
        async throws -> DeadlineClockRow? {
        try await clocks(appeal, database).first { $0.clock == kind && $0.attempt == attempt }
    }

    /// Outbox rows of the deadlines producer: (type, clock, threshold share) of each.
    static func emitted(_ database: MinhuDatabase, appeal: UUID? = nil) async throws
        -> [(type: String, clock: String?, share: Double?)] {
        try await database.withConnection { connection in
            let rows = try await connection.guardedQuery("""
                SELECT type, body::jsonb->>'clock', (body::jsonb->>'threshold_share')::float8 FROM outbox
                WHERE producer = 'minhu-deadlines' AND (\(appeal?.uuidString)::text IS NULL OR correlation_id = \(appeal?.uuidString))
                ORDER BY id
                """, logger: logger)
            var out: [(type: String, clock: String?, share: Double?)] = []
            for try await (type, clock, share) in rows.decode((String, String?, Double?).self) {
                out.append((type, clock, share))
            }
            return out
        }
    }
}

@Suite("Deadline clocks: handler, extensions, watcher", .enabled(if: TestDatabase.isConfigured))
struct DeadlineServiceTests {
    typealias F = DeadlineFixtures
    let logger = TestDatabase.logger

    func parts(_ clock: FrozenClock) throws -> (DeadlineEventHandler, DeadlineContextProvider) {
        let contexts = DeadlineContextProvider(try F.context())
        return (DeadlineEventHandler(contexts: contexts, clock: clock), contexts)
    }

    /// minhu-deadlines' consumer of `deadlines.events` on `url`, dead letters through `publisher`.
    func consumerService(_ url: AMQPURL, _ database: MinhuDatabase, _ handler: DeadlineEventHandler,
                         _ publisher: AMQPPublisher) -> MessageConsumerService<DeadlineEventHandler> {
        let consumer = AMQPConsumer(url: url, queue: "deadlines.events", prefetch: 50, logger: logger)
        return MessageConsumerService(consumer: consumer, consumerName: "deadlines.events",
                                      producer: DeadlineContext.producer, handler: handler, database: database,
                                      deadLetters: publisher, logger: logger)
    }

    @Test("deadlines.events is bound to every event the handler acts on (appeal.progressed resumes the clocks)")
    func boundToEveryHandledEvent() {
        let bound = Set(MinhuTopology.eventBindings["deadlines.events"] ?? [])
        let missing = DeadlineEventHandler.handledEvents.map(\.rawValue).filter { !bound.contains($0) }
        #expect(missing.isEmpty, "not bound: \(missing)")
        #expect(bound.contains("appeal.progressed"))
    }

    @Test("events out of range are dead-lettered with the field named, change nothing, and spare their batch")
    func eventsOutOfRangeAreRefused() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withDatabase { database in
                try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: url)
                let clock = FrozenClock(F.dispatchTime)
                let (handler, _) = try parts(clock)
                let publisher = AMQPPublisher(url: url, logger: logger)
                let good = UUID(), early = UUID(), backwards = UUID(), late = UUID()
                var dueBeforeDispatch = try F.dispatched(backwards)
                dueBeforeDispatch.signBy = F.dispatchTime.addingTimeInterval(-60)
                // Dispatched late from the manual desk: its reply-by, counted from arrival, has passed. Accepted.
                var lateDispatch = try F.dispatched(late)
                lateDispatch.replyBy = F.dispatchTime.addingTimeInterval(-60)
                let bad: [any EventPayload] = [
                    AppealSigned(appealId: early, caseNumber: "T-0002", round: 0, attempt: 1,
                                 occurredAt: F.dispatchTime, departmentCode: "water"),
                    dueBeforeDispatch,
                    AppealExtensionRequested(appealId: good, caseNumber: "T-0001", round: 1, attempt: 1,
                                             occurredAt: F.dispatchTime, departmentCode: "water", workingDays: 0,
                                             reason: "x"),
                    AppealReplied(appealId: good, caseNumber: "T-0001", round: 1, attempt: 1,
                                  occurredAt: F.dispatchTime, departmentCode: "Water Bureau", reply: "已处理",
                                  resolved: true),
                ]
                let messages = try [try F.dispatched(good), lateDispatch].map {
                    try MessageEnvelope.event($0, producer: "minhu-dispatcher", at: F.dispatchTime)
                } + bad.map { try MessageEnvelope.event($0, producer: "minhu-dispatcher", at: F.dispatchTime) }
                #expect(allConfirmed(try await publisher.publish(messages)))
                let service = consumerService(url, database, handler, publisher)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await service.run() }
                    try await expectEventually { try await F.clocks(good, database).count == 2 }
                    try await expectEventually { try await F.clocks(late, database).count == 2 }
                    group.cancelAll()
                }
                let dead = try await DeadLetterReader.read(queue: "dead.deadlines.events", count: 4, url: url)
                await publisher.shutdown()
                let reasons = dead.compactMap { $0.properties.headers["x-minhu-error"] }
                #expect(reasons.count == 4, "\(reasons)")
                for field in ["'round'", "'sign_by'", "'working_days'", "'department_code'"] {
                    #expect(reasons.contains { $0.contains(field) }, "no refusal names \(field): \(reasons)")
                }
                // The late dispatch owes its reply-by overdue at once, and no warning about time never left.
                let (_, contexts) = try parts(clock)
                try await DeadlineWatcher(database: database, contexts: contexts, clock: clock, logger: logger).tick()
                let lateReply = try await F.emitted(database, appeal: late).filter { $0.clock == "reply" }
                #expect(lateReply.map(\.type) == ["deadline.overdue"], "\(lateReply)")
                // The good dispatch's clocks run, untouched by the bad reply; nothing else was written.
                #expect(try await F.clocks(good, database).allSatisfy { $0.state == "running" })
                #expect(try await F.clocks(backwards, database).isEmpty)
                let written = try await StorageFixtures.integer("""
                    SELECT (SELECT count(*) FROM deadline_early_events)
                         + (SELECT count(*) FROM deadline_extension_requests)
                    """, on: database)
                #expect(written == 0)
            }
        }
    }

    @Test("a co-department's signature, return or progress moves no clock; the lead department's does")
    func coDepartmentActionsMoveNoClock() async throws {
        try await TestDatabase.withDatabase { database in
            let clock = FrozenClock(F.dispatchTime)
            let (handler, _) = try parts(clock)
            let appeal = UUID()
            var dispatched = try F.dispatched(appeal)
            dispatched.coDepartmentCodes = ["power"]
            let at = F.dispatchTime.addingTimeInterval(600)
            try await F.apply([
                dispatched,
                AppealSigned(appealId: appeal, caseNumber: "T-0001", round: 1, attempt: 1, occurredAt: at,
                             departmentCode: "power"),
                AppealReturned(appealId: appeal, caseNumber: "T-0001", round: 1, attempt: 1, occurredAt: at,
                               departmentCode: "power", reason: "不属于本单位职责"),
            ], handler: handler, database: database)
            #expect(try await F.clocks(appeal, database).map(\.state) == ["running", "running"])
            // Nor does its extension request: the round's one extension stays the lead's.
            try await F.apply([AppealExtensionRequested(appealId: appeal, caseNumber: "T-0001", round: 1, attempt: 1,
                                                        occurredAt: at, departmentCode: "power", workingDays: 5,
                                                        reason: "协办部分需要时间")],
                              handler: handler, database: database)
            #expect(try await StorageFixtures.integer("SELECT count(*) FROM deadline_extension_requests",
                                                      on: database) == 0)
            try await F.apply([AppealSigned(appealId: appeal, caseNumber: "T-0001", round: 1, attempt: 1,
                                            occurredAt: at, departmentCode: "water")],
                              handler: handler, database: database)
            let rows = try await F.clocks(appeal, database)
            #expect(rows.first { $0.clock == .sign }?.state == "stopped")
            #expect(rows.first { $0.clock == .reply }?.state == "running")

            // Handled before its dispatch (kept, 0018), a co-department's return is not applied by the dispatch.
            let other = UUID()
            var second = try F.dispatched(other, case: "T-0002")
            second.coDepartmentCodes = ["power"]
            try await F.apply([AppealReturned(appealId: other, caseNumber: "T-0002", round: 1, attempt: 1,
                                              occurredAt: at, departmentCode: "power", reason: "不属于本单位职责"),
                               second], handler: handler, database: database)
            #expect(try await F.clocks(other, database).map(\.state) == ["running", "running"])

            // A co-department's extension request recorded before the dispatch cannot be decided for the lead.
            let third = UUID()
            var dispatchedThird = try F.dispatched(third, case: "T-0003")
            dispatchedThird.coDepartmentCodes = ["power"]
            try await F.apply([AppealExtensionRequested(appealId: third, caseNumber: "T-0003", round: 1, attempt: 1,
                                                        occurredAt: at, departmentCode: "power", workingDays: 5,
                                                        reason: "协办部分需要时间"),
                               dispatchedThird], handler: handler, database: database)
            let (_, contexts) = try parts(clock)
            await #expect(throws: ExtensionDecider.Refusal.self) {
                _ = try await ExtensionDecider(contexts: contexts, clock: clock).decide(
                    .caseNumber("T-0003"), approve: true, reason: nil, decidedBy: "centre-lead", database: database,
                    logger: logger)
            }
            #expect(try await F.clock(third, .reply, database)?.extensionsUsed == 0)
        }
    }

    @Test("a policy row that does not load holds the events (no dead letter); once it is mended they are applied")
    func unloadablePolicyHoldsEvents() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withDatabase { database in
                try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: url)
                // A document a newer minhu might write: a criterion this version does not know.
                let good = try await StorageFixtures.integer("""
                    WITH changed AS (UPDATE deadline_policies SET document = jsonb_set(document, '{rules,0,when}',
                        '{"district": ["A1区"]}') WHERE name = 'default' RETURNING 1)
                    SELECT count(*) FROM changed
                    """, on: database)
                #expect(good == 1)
                let clock = FrozenClock(F.dispatchTime)
                let handler = DeadlineEventHandler(contexts: DeadlineContextProvider(loadingWith: F.zone), clock: clock)
                let publisher = AMQPPublisher(url: url, logger: logger)
                let appeal = UUID()
                #expect(allConfirmed(try await publisher.publish([
                    try MessageEnvelope.event(try F.dispatched(appeal), producer: "minhu-dispatcher",
                                              at: F.dispatchTime)])))
                let service = consumerService(url, database, handler, publisher)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await service.run() }
                    // Held: the delivery limit (5) would have dead-lettered it within these seconds.
                    try await Task.sleep(for: .seconds(4))
                    #expect(try await F.clocks(appeal, database).isEmpty)
                    let dead = try await TopologyDeclarer.status(of: ["dead.deadlines.events"], url: url)
                    #expect(dead["dead.deadlines.events"]?.messages == 0)
                    let policy = String(decoding: try DeadlinePolicySet.builtIn().jsonData(), as: UTF8.self)
                    _ = try await StorageFixtures.integer("""
                        WITH changed AS (UPDATE deadline_policies SET document = \(policy)::jsonb
                                         WHERE name = 'default' RETURNING 1)
                        SELECT count(*) FROM changed
                        """, on: database)
                    try await expectEventually { try await F.clocks(appeal, database).count == 2 }
                    group.cancelAll()
                }
                await publisher.shutdown()
            }
        }
    }

    @Test("appeal.dispatched published to the broker starts both clocks")
    func dispatchedOverBroker() async throws {
        try await TestBroker.withVhost { url in
            try await TestDatabase.withDatabase { database in
                try await TopologyDeclarer.declare(MinhuTopology.make(departments: [], channels: []), url: url)
                let clock = FrozenClock(F.dispatchTime)
                let (handler, _) = try parts(clock)
                let publisher = AMQPPublisher(url: url, logger: logger)
                let service = consumerService(url, database, handler, publisher)
                let appeal = UUID()
                let event = try F.dispatched(appeal)
                let outcomes = try await publisher.publish([
                    try MessageEnvelope.event(event, producer: "minhu-dispatcher", at: F.dispatchTime)])
                #expect(allConfirmed(outcomes))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await service.run() }
                    try await expectEventually { try await F.clocks(appeal, database).count == 2 }
                    group.cancelAll()
                }
                await publisher.shutdown()
                let rows = try await F.clocks(appeal, database)
                #expect(rows.allSatisfy { $0.state == "running" })
                #expect(rows.first { $0.clock == .reply }?.dueAt == F.at(2024, 3, 11, 17))
                #expect(rows.first { $0.clock == .sign }?.dueAt == F.at(2024, 3, 5, 17))
                #expect(rows.first { $0.clock == .reply }?.limit == .workingDays(5))
            }
        }
    }

    @Test("pause and resume move both due times by the paused working time, exactly; deadline.changed twice")
    func pauseResume() async throws {
        try await TestDatabase.withDatabase { database in
            let clock = FrozenClock(F.dispatchTime)
            let (handler, _) = try parts(clock)
            let appeal = UUID()
            try await F.apply([try F.dispatched(appeal)], handler: handler, database: database)
            // Paused Tuesday 10:00 → Wednesday 10:00: one working day (8 working hours).
            let waiting = AppealAwaitingCitizen(appealId: appeal, caseNumber: "T-0001", round: 1, attempt: 1,
                                                occurredAt: F.at(2024, 3, 5, 10), departmentCode: "water",
                                                reason: "需要补充材料")
            try await F.apply([waiting], handler: handler, database: database)
            #expect(try await F.clock(appeal, .reply, database)?.state == "paused")
            #expect(try await F.clock(appeal, .sign, database)?.state == "paused")
            let supplemented = AppealSupplemented(appealId: appeal, caseNumber: "T-0001", round: 1, attempt: 1,
                                                  occurredAt: F.at(2024, 3, 6, 10), channel: Channel(rawValue: "wechat")!,
                                                  text: "补充材料")
            try await F.apply([supplemented], handler: handler, database: database)
            let reply = try #require(try await F.clock(appeal, .reply, database))
            let sign = try #require(try await F.clock(appeal, .sign, database))
            #expect(reply.state == "running" && sign.state == "running")
            #expect(reply.dueAt == F.at(2024, 3, 12, 17))
            #expect(sign.dueAt == F.at(2024, 3, 6, 17))
            let changes = try await F.emitted(database).filter { $0.type == "deadline.changed" }
            #expect(changes.count == 2)

            // The same pause handled again, late (a requeued delivery): it was answered already, nothing changes.
            try await F.apply([waiting], handler: handler, database: database)
            #expect(try await F.clock(appeal, .reply, database)?.state == "running")
            #expect(try await F.clock(appeal, .reply, database)?.dueAt == F.at(2024, 3, 12, 17))
            #expect(try await F.emitted(database).filter { $0.type == "deadline.changed" }.count == 2)
            // A new pause after the resume still pauses.
            let later = AppealAwaitingCitizen(appealId: appeal, caseNumber: "T-0001", round: 1, attempt: 1,
                                              occurredAt: F.at(2024, 3, 7, 10), departmentCode: "water",
                                              reason: "还需补充材料")
            try await F.apply([later], handler: handler, database: database)
            #expect(try await F.clock(appeal, .reply, database)?.state == "paused")
        }
    }

    @Test("an approved extension moves reply-by by the granted working days; a second decision is refused")
    func extensionApprovedOnce() async throws {
        try await TestDatabase.withDatabase { database in
            let clock = FrozenClock(F.at(2024, 3, 6, 9))
            let (handler, contexts) = try parts(clock)
            let appeal = UUID()
            let request = AppealExtensionRequested(appealId: appeal, caseNumber: "T-0001", round: 1, attempt: 1,
                                                   occurredAt: F.at(2024, 3, 6, 9), departmentCode: "water",
                                                   workingDays: 3, reason: "需现场勘查")
            try await F.apply([try F.dispatched(appeal), request], handler: handler, database: database)
            let decider = ExtensionDecider(contexts: contexts, clock: clock)
            let outcome = try await decider.decide(.caseNumber("T-0001"), approve: true, reason: "同意",
                                                   decidedBy: "centre-lead", database: database, logger: logger)
            #expect(outcome.grantedWorkingDays == 3)
            #expect(try await F.clock(appeal, .reply, database)?.dueAt == F.at(2024, 3, 14, 17))
            let types = try await F.emitted(database).map(\.type)
            #expect(types == ["deadline.changed", "dispatch.extension-decision"])
            await #expect(throws: ExtensionDecider.Refusal.self) {
                _ = try await decider.decide(.caseNumber("T-0001"), approve: true, grant: .workingDays(2),
                                             reason: nil, decidedBy: "centre-lead", database: database,
                                             logger: logger)
            }
            #expect(try await F.clock(appeal, .reply, database)?.dueAt == F.at(2024, 3, 14, 17))
            #expect(try await F.emitted(database).count == 2)
        }
    }

    @Test("a denial is a deadline.changed (approved false, due times unchanged) and the decision; --until counts")
    func extensionDeniedAndUntil() async throws {
        try await TestDatabase.withDatabase { database in
            let clock = FrozenClock(F.at(2024, 3, 6, 9))
            let (handler, contexts) = try parts(clock)
            let decider = ExtensionDecider(contexts: contexts, clock: clock)
            let denied = UUID()
            try await F.apply([try F.dispatched(denied, case: "T-D"),
                               AppealExtensionRequested(appealId: denied, caseNumber: "T-D", round: 1, attempt: 1,
                                                        occurredAt: F.at(2024, 3, 6, 9), departmentCode: "water",
                                                        workingDays: 3, reason: "x")],
                              handler: handler, database: database)
            let outcome = try await decider.decide(.caseNumber("T-D"), approve: false, reason: "理由不充分",
                                                   decidedBy: "centre-lead", database: database, logger: logger)
            #expect(!outcome.approved && outcome.grantedWorkingDays == 0)
            #expect(try await F.clock(denied, .reply, database)?.dueAt == F.at(2024, 3, 11, 17))
            #expect(try await F.emitted(database, appeal: denied).map(\.type)
                    == ["deadline.changed", "dispatch.extension-decision"])
            let body = try await StorageFixtures.text("""
                SELECT body FROM outbox WHERE type = 'deadline.changed' AND correlation_id = \(denied.uuidString)
                """, on: database)
            let changed = try MinhuJSON.decode(DeadlineChanged.self, from: Data(body.utf8))
            #expect(changed.reason == .extension && changed.approved == false && changed.extensionWorkingDays == 0)
            #expect(changed.replyBy == F.at(2024, 3, 11, 17) && changed.note == "理由不充分")

            // Until Friday 15 March: Tue 12, Wed 13, Thu 14, Fri 15 after the Monday 11 due day = 4 working days.
            let until = UUID()
            try await F.apply([try F.dispatched(until, case: "T-U"),
                               AppealExtensionRequested(appealId: until, caseNumber: "T-U", round: 1, attempt: 1,
                                                        occurredAt: F.at(2024, 3, 6, 9), departmentCode: "water",
                                                        workingDays: 10, reason: "x")],
                              handler: handler, database: database)
            let extended = try await decider.decide(.caseNumber("T-U"), approve: true,
                                                    grant: .until(LocalDate(iso: "2024-03-15")!), reason: nil,
                                                    decidedBy: "centre-lead", database: database, logger: logger)
            #expect(extended.grantedWorkingDays == 4)
            #expect(extended.replyBy == F.at(2024, 3, 15, 17))

            // A due moved off the close of office by a pause (Tue 12 March 13:00) still ends at the close of the
            // day asked for; the clock resumes on the department's progress report too.
            let paused = UUID()
            try await F.apply([try F.dispatched(paused, case: "T-P"),
                               AppealAwaitingCitizen(appealId: paused, caseNumber: "T-P", round: 1, attempt: 1,
                                                     occurredAt: F.at(2024, 3, 5, 10), departmentCode: "water",
                                                     reason: "需要补充材料"),
                               AppealProgressed(appealId: paused, caseNumber: "T-P", round: 1, attempt: 1,
                                                occurredAt: F.at(2024, 3, 5, 14), departmentCode: "water",
                                                note: "已电话联系市民"),
                               AppealExtensionRequested(appealId: paused, caseNumber: "T-P", round: 1, attempt: 1,
                                                        occurredAt: F.at(2024, 3, 6, 9), departmentCode: "water",
                                                        workingDays: 10, reason: "x")],
                              handler: handler, database: database)
            #expect(try await F.clock(paused, .reply, database)?.dueAt == F.at(2024, 3, 12, 13))
            let toFriday = try await decider.decide(.caseNumber("T-P"), approve: true,
                                                    grant: .until(LocalDate(iso: "2024-03-16")!), reason: nil,
                                                    decidedBy: "centre-lead", database: database, logger: logger)
            #expect(toFriday.grantedWorkingDays == 3)  // Wed 13, Thu 14, Fri 15; Saturday 16 is no working day
            #expect(toFriday.replyBy == F.at(2024, 3, 15, 17))

            // A far-off day is refused (more than the rule's 10 working days) without counting up to it.
            let far = UUID()
            try await F.apply([try F.dispatched(far, case: "T-F"),
                               AppealExtensionRequested(appealId: far, caseNumber: "T-F", round: 1, attempt: 1,
                                                        occurredAt: F.at(2024, 3, 6, 9), departmentCode: "water",
                                                        workingDays: 10, reason: "x")],
                              handler: handler, database: database)
            await #expect(throws: ExtensionDecider.Refusal.self) {
                _ = try await decider.decide(.caseNumber("T-F"), approve: true,
                                             grant: .until(LocalDate(iso: "9999-12-31")!), reason: nil,
                                             decidedBy: "centre-lead", database: database, logger: logger)
            }
            #expect(try await F.clock(far, .reply, database)?.dueAt == F.at(2024, 3, 11, 17))
        }
    }

    @Test("an extension until a day counts from the due day also when the office closes at 24:00")
    func extensionUntilWithOfficeClosingAtMidnight() async throws {
        try await TestDatabase.withDatabase { database in
            let clock = FrozenClock(F.at(2024, 3, 6, 10))
            var context = try F.context()
            context.officeHours = try #require(OfficeHours(opens: "00:00", closes: "24:00"))
            let contexts = DeadlineContextProvider(context)
            let handler = DeadlineEventHandler(contexts: contexts, clock: clock)
            let decider = ExtensionDecider(contexts: contexts, clock: clock)
            let oneDay = UUID(), tooFar = UUID()
            try await database.withTransaction { connection in
                for (appeal, caseNumber) in [(oneDay, "T-M1"), (tooFar, "T-M2")] {
                    // The dispatcher counts with the same office hours: 5 working days end with Monday 11 March.
                    var dispatched = try F.dispatched(appeal, case: caseNumber)
                    dispatched.replyBy = F.at(2024, 3, 12, 0)
                    for event: any EventPayload in [
                        dispatched,
                        AppealExtensionRequested(appealId: appeal, caseNumber: caseNumber, round: 1, attempt: 1,
                                                 occurredAt: F.at(2024, 3, 6, 9), departmentCode: "water",
                                                 workingDays: 10, reason: "x")] {
                        _ = try await handler.apply(event, context: context, on: connection, logger: logger)
                    }
                }
            }
            // Due at the end of Monday 11 March, which is Tuesday 00:00.
            #expect(try await F.clock(oneDay, .reply, database)?.dueAt == F.at(2024, 3, 12, 0))
            let extended = try await decider.decide(.caseNumber("T-M1"), approve: true,
                                                    grant: .until(LocalDate(iso: "2024-03-12")!), reason: nil,
                                                    decidedBy: "centre-lead", database: database, logger: logger)
            #expect(extended.grantedWorkingDays == 1 && extended.replyBy == F.at(2024, 3, 13, 0))
            // Tuesday 26 March is the 11th working day after Monday 11: more than the rule's 10.
            await #expect(throws: ExtensionDecider.Refusal.self) {
                _ = try await decider.decide(.caseNumber("T-M2"), approve: true,
                                             grant: .until(LocalDate(iso: "2024-03-26")!), reason: nil,
                                             decidedBy: "centre-lead", database: database, logger: logger)
            }
        }
    }

    @Test("signed but unanswered: the reply clock still goes overdue; the stopped sign clock stays quiet")
    func signedButUnansweredGoesOverdue() async throws {
        try await TestDatabase.withDatabase { database in
            let clock = FrozenClock(F.dispatchTime)
            let (handler, contexts) = try parts(clock)
            let appeal = UUID()
            try await F.apply([try F.dispatched(appeal),
                               AppealSigned(appealId: appeal, caseNumber: "T-0001", round: 1, attempt: 1,
                                            occurredAt: F.at(2024, 3, 4, 11), departmentCode: "water")],
                              handler: handler, database: database)
            let watcher = DeadlineWatcher(database: database, contexts: contexts, clock: clock, logger: logger)
            clock.set(F.at(2024, 3, 11, 17, 0, 1))
            try await watcher.tick()
            let emitted = try await F.emitted(database)
            #expect(emitted.filter { $0.type == "deadline.overdue" }.map(\.clock) == ["reply"])
            #expect(emitted.filter { $0.type == "deadline.warning" }.map(\.share) == [0.6, 0.8])
            #expect(emitted.allSatisfy { $0.clock == "reply" })
            #expect(try await F.clock(appeal, .reply, database)?.nextCheckAt == nil)
        }
    }

    @Test("a tick that fails is counted and the last success timestamped, for the alert /health cannot give")
    func tickMetrics() async throws {
        try await TestDatabase.withDatabase { database in
            let clock = FrozenClock(F.dispatchTime)
            let (_, contexts) = try parts(clock)
            let metrics = StorageTestMetrics()
            let watcher = DeadlineWatcher(database: database, contexts: contexts, clock: clock, logger: logger,
                                          metricsFactory: metrics)
            #expect(await watcher.checkedTick() != nil)
            let succeeded = metrics.value("minhu_deadline_last_tick_success_seconds")
            #expect(abs(succeeded - Date().timeIntervalSince1970) < 60)
            #expect(metrics.value("minhu_deadline_ticks_failed_total") == 0)
            // A table the tick reads is gone (as a broken migration or a missing grant would make it fail).
            _ = try await database.withConnection { connection in
                try await connection.query("ALTER TABLE deadline_clocks RENAME TO deadline_clocks_away", logger: logger)
            }
            #expect(await watcher.checkedTick() == nil)
            #expect(await watcher.checkedTick() == nil)
            #expect(metrics.value("minhu_deadline_ticks_failed_total") == 2)
            #expect(metrics.value("minhu_deadline_last_tick_success_seconds") == succeeded)
        }
    }

    @Test("a reply in the event log made in time but not applied yet holds the overdue; a late or stale one does not")
    func replyInTheLogHoldsOverdue() async throws {
        try await TestDatabase.withDatabase { database in
            let clock = FrozenClock(F.dispatchTime)
            let (handler, contexts) = try parts(clock)
            let inTime = UUID(), late = UUID(), stale = UUID()
            for appeal in [inTime, late, stale] {
                try await F.apply([try F.dispatched(appeal)], handler: handler, database: database)
            }
            func replied(_ appeal: UUID, _ at: Date) -> AppealReplied {
                AppealReplied(appealId: appeal, caseNumber: "T-0001", round: 1, attempt: 1, occurredAt: at,
                              departmentCode: "water", reply: "已处理", resolved: true)
            }
            // Due Monday 11 March 17:00. The replies are committed by their producer, not yet applied here.
            let replies = [replied(inTime, F.at(2024, 3, 11, 16, 59)), replied(late, F.at(2024, 3, 11, 17, 30)),
                           replied(stale, F.at(2024, 3, 11, 16, 59))]
            try await database.withTransaction { connection in
                try await OutboxWriter.append(
                    // Written by a backlogged producer 5 minutes after the replies: their own time is what counts.
                    try replies.map { try MessageEnvelope.event($0, producer: "minhu-dispatcher",
                                                               at: $0.occurredAt.addingTimeInterval(300)) },
                    producer: "minhu-dispatcher", on: connection, logger: logger)
                // This one was published 11 minutes ago, while the watcher ran: longer than its patience, so
                // something is wrong with it.
                try await connection.guardedQuery("""
                    UPDATE outbox SET created_at = now() - interval '11 minutes',
                                      published_at = now() - interval '11 minutes'
                    WHERE correlation_id = \(stale.uuidString)
                    """, logger: logger)
            }
            let watcher = DeadlineWatcher(database: database, contexts: contexts, clock: clock, logger: logger,
                                          startedAt: Date().addingTimeInterval(-3600))
            clock.set(F.at(2024, 3, 11, 17, 40))
            try await watcher.tick()
            func replyEvents(_ appeal: UUID) async throws -> [String] {
                try await F.emitted(database, appeal: appeal).filter { $0.clock == "reply" }.map(\.type)
            }
            // The warnings at 60 % and 80 % came before the reply: owed. The overdue is held.
            #expect(try await replyEvents(inTime) == ["deadline.warning", "deadline.warning"])
            #expect(try await replyEvents(late) == ["deadline.warning", "deadline.warning", "deadline.overdue"])
            #expect(try await replyEvents(stale) == ["deadline.warning", "deadline.warning", "deadline.overdue"])
            let held = try #require(try await F.clock(inTime, .reply, database))
            #expect(held.state == "running" && !held.overdueEmitted)
            #expect(held.nextCheckAt == F.at(2024, 3, 11, 17, 40, 15))
            // The sign-by clock was not answered in time by that reply: its overdue goes out.
            #expect(try await F.emitted(database, appeal: inTime).contains { $0.type == "deadline.overdue" && $0.clock == "sign" })

            // Once the reply is applied, the clock stops and nothing more is emitted.
            try await F.apply([replies[0]], handler: handler, database: database)
            clock.set(F.at(2024, 3, 11, 17, 41))
            try await watcher.tick()
            #expect(try await replyEvents(inTime) == ["deadline.warning", "deadline.warning"])
            #expect(try await F.clock(inTime, .reply, database)?.state == "stopped")
        }
    }

    @Test("an event that stops or pauses a clock before the watcher reached it emits what the clock owed first")
    func stopBeforeTheWatcherEmitsWhatIsOwed() async throws {
        try await TestDatabase.withDatabase { database in
            let clock = FrozenClock(F.dispatchTime)
            let (handler, contexts) = try parts(clock)
            let late = UUID(), inTime = UUID(), paused = UUID(), superseded = UUID()
            for appeal in [late, inTime, paused, superseded] {
                try await F.apply([try F.dispatched(appeal)], handler: handler, database: database)
            }
            // minhu-deadlines was down from before the warnings until Tuesday 10:00; the reply clocks were due
            // Monday 11 March 17:00. On restart the events are applied before the watcher's first tick.
            clock.set(F.at(2024, 3, 12, 10))
            func replied(_ appeal: UUID, _ at: Date) -> AppealReplied {
                AppealReplied(appealId: appeal, caseNumber: "T-0001", round: 1, attempt: 1, occurredAt: at,
                              departmentCode: "water", reply: "已处理", resolved: true)
            }
            try await F.apply([replied(late, F.at(2024, 3, 12, 9)), replied(inTime, F.at(2024, 3, 11, 16, 59)),
                               AppealAwaitingCitizen(appealId: paused, caseNumber: "T-0001", round: 1, attempt: 1,
                                                     occurredAt: F.at(2024, 3, 12, 9), departmentCode: "water",
                                                     reason: "需要补充材料"),
                               try F.dispatched(superseded, attempt: 2, at: F.at(2024, 3, 12, 9), department: "gas")],
                              handler: handler, database: database)
            func events(_ appeal: UUID, _ clock: String) async throws -> [String] {
                try await F.emitted(database, appeal: appeal).filter { $0.clock == clock }.map(\.type)
            }
            let owedInFull = ["deadline.warning", "deadline.warning", "deadline.overdue"]
            #expect(try await events(late, "reply") == owedInFull)
            #expect(try await events(late, "sign").last == "deadline.overdue")
            #expect(try await events(inTime, "reply") == ["deadline.warning", "deadline.warning"])
            #expect(try await events(paused, "reply") == owedInFull)
            #expect(try await F.emitted(database, appeal: paused).last?.type == "deadline.changed")
            #expect(try await events(superseded, "reply") == owedInFull)
            for appeal in [late, inTime] {
                let reply = try #require(try await F.clock(appeal, .reply, database))
                #expect(reply.state == "stopped" && reply.overdueEmitted == (appeal == late))
            }
            // A close applied while the reply that answered in time waits in the log (queued behind it, or taken
            // by another copy): the overdue is not owed, as the watcher would not emit it (found by a review).
            let answered = UUID()
            try await F.apply([try F.dispatched(answered)], handler: handler, database: database)
            let inTimeReply = replied(answered, F.at(2024, 3, 11, 16, 59))
            try await database.withTransaction { connection in
                try await OutboxWriter.append([try MessageEnvelope.event(inTimeReply, producer: "minhu-dispatcher",
                                                                         at: inTimeReply.occurredAt)],
                                              producer: "minhu-dispatcher", on: connection, logger: logger)
            }
            try await F.apply([AppealClosed(appealId: answered, caseNumber: "T-0001", round: 1, attempt: 1,
                                            occurredAt: F.at(2024, 3, 12, 9), reason: .evaluated,
                                            closedBy: "minhu-evaluation")],
                              handler: handler, database: database)
            #expect(try await events(answered, "reply") == ["deadline.warning", "deadline.warning"])

            // The watcher, and the same events applied again (another copy, a redelivery), add nothing.
            let before = try await F.emitted(database).count
            let watcher = DeadlineWatcher(database: database, contexts: contexts, clock: clock, logger: logger)
            try await watcher.tick()
            try await F.apply([replied(late, F.at(2024, 3, 12, 9))], handler: handler, database: database)
            #expect(try await F.emitted(database).count == before)
        }
    }

    @Test("after downtime, or while its producer's relay waits, a reply made in time is waited for; not for ever")
    func replyWaitingThroughDowntimeHoldsOverdue() async throws {
        try await TestDatabase.withDatabase { database in
            let clock = FrozenClock(F.dispatchTime)
            let (handler, contexts) = try parts(clock)
            // queued: published an hour ago, while minhu-deadlines was down (the watcher starts now);
            // unpublished: committed an hour ago, its relay still waiting for the broker;
            // abandoned: committed and unpublished for more than a day;
            // refused: published an hour ago to a watcher running all along, never applied.
            let queued = UUID(), unpublished = UUID(), abandoned = UUID(), refused = UUID()
            let appeals = [queued, unpublished, abandoned, refused]
            for appeal in appeals {
                try await F.apply([try F.dispatched(appeal)], handler: handler, database: database)
            }
            try await database.withTransaction { connection in
                try await OutboxWriter.append(
                    try appeals.map { appeal in
                        try MessageEnvelope.event(
                            AppealReplied(appealId: appeal, caseNumber: "T-0001", round: 1, attempt: 1,
                                          occurredAt: F.at(2024, 3, 11, 16, 30), departmentCode: "water",
                                          reply: "已处理", resolved: true),
                            producer: "minhu-dispatcher", at: F.at(2024, 3, 11, 16, 30))
                    }, producer: "minhu-dispatcher", on: connection, logger: logger)
                for (appeal, created, published) in [(queued, "1 hour", "1 hour"), (unpublished, "1 hour", nil),
                                                     (abandoned, "25 hours", nil), (refused, "1 hour", "1 hour")] {
                    try await connection.guardedQuery("""
                        UPDATE outbox SET created_at = now() - \(created)::interval,
                                          published_at = now() - \(published)::interval
                        WHERE correlation_id = \(appeal.uuidString)
                        """, logger: logger)
                }
            }
            clock.set(F.at(2024, 3, 11, 17, 30))
            let restarted = DeadlineWatcher(database: database, contexts: contexts, clock: clock, logger: logger)
            let runningAllAlong = DeadlineWatcher(database: database, contexts: contexts, clock: clock, logger: logger,
                                                  startedAt: Date().addingTimeInterval(-2 * 3600))
            func replyOverdue(_ appeal: UUID) async throws -> Bool {
                try await F.emitted(database, appeal: appeal).contains {
                    $0.type == "deadline.overdue" && $0.clock == "reply"
                }
            }
            // The watcher that was down waits for the queued and the unpublished replies, not the abandoned one.
            try await restarted.tick()
            #expect(try await replyOverdue(queued) == false)
            #expect(try await replyOverdue(unpublished) == false)
            #expect(try await replyOverdue(abandoned) == true)
            // A reply published an hour ago to a watcher that ran all along was refused: not waited for.
            clock.set(F.at(2024, 3, 11, 17, 31))
            try await runningAllAlong.tick()
            #expect(try await replyOverdue(refused) == true)
            #expect(try await replyOverdue(unpublished) == false)
        }
    }

    @Test("unsigned: a warning on the sign-by clock at 60 % of its working time, not before")
    func unsignedWarnsOnSignBy() async throws {
        try await TestDatabase.withDatabase { database in
            let clock = FrozenClock(F.dispatchTime)
            let (handler, contexts) = try parts(clock)
            let appeal = UUID()
            try await F.apply([try F.dispatched(appeal)], handler: handler, database: database)
            let watcher = DeadlineWatcher(database: database, contexts: contexts, clock: clock, logger: logger)
            // Monday 10:00 → Tuesday 17:00 is 15 working hours; 60 % is 9 hours in: Tuesday 11:00.
            clock.set(F.at(2024, 3, 5, 10, 59))
            try await watcher.tick()
            #expect(try await F.emitted(database).isEmpty)
            #expect(try await F.clock(appeal, .sign, database)?.nextCheckAt == F.at(2024, 3, 5, 11))
            clock.set(F.at(2024, 3, 5, 11))
            try await watcher.tick()
            let emitted = try await F.emitted(database)
            #expect(emitted.count == 1)
            #expect(emitted.first?.type == "deadline.warning" && emitted.first?.clock == "sign"
                    && emitted.first?.share == 0.6)
        }
    }

    @Test("a watcher restarted after downtime emits everything it missed, once")
    func afterDowntime() async throws {
        try await TestDatabase.withDatabase { database in
            let clock = FrozenClock(F.dispatchTime)
            let (handler, contexts) = try parts(clock)
            let appeals = (0..<3).map { _ in UUID() }
            try await F.apply(try appeals.enumerated().map { try F.dispatched($0.element, case: "T-\($0.offset)") },
                              handler: handler, database: database)
            clock.set(F.at(2024, 3, 20, 9))
            let restarted = DeadlineWatcher(database: database, contexts: contexts, clock: clock, logger: logger)
            let first = try await restarted.tick()
            #expect(first.emitted == 3 * 2 * 3)  // 3 appeals × 2 clocks × (0.6, 0.8, overdue)
            let second = try await restarted.tick()
            #expect(second.clocks == 0 && second.emitted == 0)
            clock.set(F.at(2024, 4, 20, 9))
            #expect(try await restarted.tick().emitted == 0)
            #expect(try await F.emitted(database).count == 18)
        }
    }

    @Test("two watchers over one database emit each warning once")
    func twoWatchers() async throws {
        try await TestDatabase.withDatabase { database in
            let clock = FrozenClock(F.dispatchTime)
            let (handler, contexts) = try parts(clock)
            let appeals = (0..<40).map { _ in UUID() }
            try await F.apply(try appeals.enumerated().map { try F.dispatched($0.element, case: "T-\($0.offset)") },
                              handler: handler, database: database)
            // Past the warnings of both clocks, before the reply-by due time.
            clock.set(F.at(2024, 3, 8, 16))
            let watchers = (0..<2).map { _ in
                DeadlineWatcher(database: database, contexts: contexts, clock: clock, batchSize: 7, logger: logger)
            }
            var rounds = 0
            while rounds < 100 {
                rounds += 1
                let results = try await withThrowingTaskGroup(of: DeadlineWatcher.TickResult.self) { group in
                    for watcher in watchers { group.addTask { try await watcher.tick() } }
                    var all: [DeadlineWatcher.TickResult] = []
                    for try await result in group { all.append(result) }
                    return all
                }
                if results.allSatisfy({ $0.clocks == 0 }) { break }
            }
            let counts = try await database.withConnection { connection in
                let rows = try await connection.guardedQuery("""
                    SELECT count(*), count(DISTINCT (correlation_id, body::jsonb->>'clock', body::jsonb->>'threshold_share'))
                    FROM outbox WHERE type = 'deadline.warning'
                    """, logger: logger)
                var out: (Int, Int) = (0, 0)
                for try await row in rows.decode((Int, Int).self) { out = row }
                return out
            }
            // Each appeal: sign 0.6 and 0.8 (and sign overdue); reply (47 working hours) 0.6 at Thursday 14:12 and
            // 0.8 at Friday 15:36.
            #expect(counts.0 == counts.1)
            #expect(counts.0 == 40 * 4)
            #expect(try await F.emitted(database).filter { $0.type == "deadline.overdue" }.count == 40)
        }
    }

    @Test("the service calendar: the database's official days plus local days off (calendar add-off)")
    func calendarFromDatabase() async throws {
        try await TestDatabase.withDatabase { database in
            _ = try await database.withConnection { connection in
                try await connection.guardedQuery("""
                    INSERT INTO calendar_days (day, kind, name, source) VALUES ('2024-03-08', 'off', '防汛停工日', 'local')
                    """, logger: logger)
            }
            let context = try await DeadlineContext.load(from: database, logger: logger)
            #expect(!context.calendar.isWorkingDay(LocalDate(iso: "2024-03-08")!))
            #expect(context.calendar.name(of: LocalDate(iso: "2024-03-08")!) == "防汛停工日")
            #expect(!context.calendar.isWorkingDay(LocalDate(iso: "2024-02-12")!))  // Spring Festival
            #expect(context.calendar.isWorkingDay(LocalDate(iso: "2024-02-04")!))   // make-up Sunday
            // Monday 4 March 10:00 + 5 working days skips the local day off: Tuesday 12 March 17:00.
            #expect(DeadlineCalculator.due(limit: .workingDays(5), receivedAt: F.dispatchTime,
                                           calendar: context.calendar) == F.at(2024, 3, 12, 17))
        }
    }

    @Test("deadlines policy set stores a checked policy file (office hours included); a bad one changes nothing")
    func policySetAndShow() async throws {
        try await TestDatabase.withConfiguration { configuration in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minhu-pol-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let good = folder.appendingPathComponent("local.json")
            try Data("""
                {"policies": [{"name": "ordinary", "limit": {"workingDays": 7}},
                              {"name": "sign", "limit": {"hours": 4}}],
                 "rules": [{"when": {}, "policy": "ordinary"}],
                 "rejectionPolicy": "ordinary", "signByPolicy": "sign",
                 "officeHours": {"opens": "08:30", "closes": "17:30"}}
                """.utf8).write(to: good)
            let bad = folder.appendingPathComponent("bad.json")
            try Data(#"""
                {"policies": [], "rules": [{"when": {"tier": "fast"}, "policy": "x"}],
                 "rejectionPolicy": "x", "signByPolicy": "x"}
                """#.utf8).write(to: bad)
            func minhu(_ arguments: [String]) async throws -> (Int32?, String) {
                try await ChildProcess.with(
                    "minhu", arguments: arguments,
                    environment: ["PATH": "/usr/bin:/bin", "MINHU_DATABASE_URL": configuration.testURL]) {
                    (await $0.waitForExit(timeout: .seconds(120)), $0.log)
                }
            }
            let stored = try await minhu(["deadlines", "policy", "set", good.path])
            #expect(stored.0 == 0 && stored.1.contains("office hours 08:30–17:30"), "\(stored.1)")
            let refused = try await minhu(["deadlines", "policy", "set", bad.path])
            #expect(refused.0 == 1 && refused.1.contains("bad.json: rules[0].when.tier: unknown tier 'fast'"),
                    "\(refused.1)")
            let shown = try await minhu(["deadlines", "policy", "show"])
            #expect(shown.0 == 0 && shown.1.contains("\"opens\" : \"08:30\""), "\(shown.1)")
            try await TestDatabase.withRunningDatabase(configuration) { database in
                let context = try await DeadlineContext.load(from: database, logger: logger)
                #expect(context.officeHours.description == "08:30–17:30")
                #expect(context.policies.signBy.limit == .hours(4))
                #expect(context.policies.policy(named: "ordinary")?.limit == .workingDays(7))
            }
        }
    }

    @Test("minhu deadlines decide refuses a MINHU_TIMEZONE that names no zone instead of counting in Shanghai's")
    func decideRefusesAnUnknownZone() async throws {
        try await TestDatabase.withConfiguration { configuration in
            let (status, output) = try await ChildProcess.with(
                "minhu", arguments: ["deadlines", "decide", "20240311-000001", "--approve", "--until", "2024-03-15"],
                environment: ["PATH": "/usr/bin:/bin", "MINHU_DATABASE_URL": configuration.testURL,
                              "MINHU_TIMEZONE": "Asia/Urumqu"]) {
                (await $0.waitForExit(timeout: .seconds(120)), $0.log)
            }
            #expect(status == 1 && output.contains("MINHU_TIMEZONE: unknown time zone identifier 'Asia/Urumqu'"),
                    "\(output)")
        }
    }

    @Test("a calendar ending within 60 days is warned about; calendar import-year loads the next year")
    func calendarNextYear() async throws {
        let builtIn = try WorkingCalendar.builtIn()
        let zone = WorkingCalendar.defaultTimeZone
        #expect(DeadlineContextProvider.coverageWarning(builtIn, now: F.at(2026, 6, 1, 9), timeZone: zone) == nil)
        let warning = DeadlineContextProvider.coverageWarning(builtIn, now: F.at(2026, 11, 24, 9), timeZone: zone)
        #expect(warning?.contains("ends with 2026") == true && warning?.contains("import-year 2027.csv") == true)

        try await TestDatabase.withConfiguration { configuration in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minhu-cal-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("2027.csv")
            try Data("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-08,holiday,春节\n2027-02-06,workday,调休上班（春节）\n"
                .utf8).write(to: file)
            try await TestDatabase.withRunningDatabase(configuration) { database in
                _ = try await StorageFixtures.integer("""
                    WITH added AS (INSERT INTO calendar_days (day, kind, name, source)
                                   VALUES ('2027-01-01', 'off', '本地休息日', 'local') RETURNING 1)
                    SELECT count(*) FROM added
                    """, on: database)
            }
            /// `minhu calendar import-year` on `path` against the test database: (exit status, output).
            func importYear(_ path: String) async throws -> (Int32?, String) {
                try await ChildProcess.with(
                    "minhu", arguments: ["calendar", "import-year", path],
                    environment: ["PATH": "/usr/bin:/bin", "MINHU_DATABASE_URL": configuration.testURL]) {
                    (await $0.waitForExit(timeout: .seconds(120)), $0.log)
                }
            }
            let (status, output) = try await importYear(file.path)
            #expect(status == 0, "\(output)")
            #expect(output.contains("loaded 2027: 2 holidays and 1 make-up workdays"), "\(output)")
            #expect(output.contains("replaced local days off on: 2027-01-01"), "\(output)")
            try await TestDatabase.withRunningDatabase(configuration) { database in
                let context = try await DeadlineContext.load(from: database, logger: logger)
                #expect(context.calendar.coveredYears?.upperBound == 2027)
                #expect(context.calendar.name(of: LocalDate(iso: "2027-01-01")!) == "元旦")
                let calendar = context.calendar
                let days = ["2027-02-08", "2027-02-06", "2026-10-10"].map { calendar.isWorkingDay(LocalDate(iso: $0)!) }
                // The Spring Festival off, a make-up Saturday worked, 2026's days kept (10 October was made up).
                #expect(days == [false, true, true])
            }
            // A file not named after its year changes nothing.
            let wrong = folder.appendingPathComponent("next.csv")
            try FileManager.default.copyItem(at: file, to: wrong)
            let refused = try await importYear(wrong.path)
            #expect(refused.0 != nil && refused.0 != 0 && refused.1.contains("named YYYY.csv"), "\(refused.1)")
        }
    }

    @Test("a stale event (earlier attempt) is ignored; a redispatch supersedes the earlier clocks")
    func staleEventIgnored() async throws {
        try await TestDatabase.withDatabase { database in
            let clock = FrozenClock(F.dispatchTime)
            let (handler, _) = try parts(clock)
            let appeal = UUID()
            try await F.apply([try F.dispatched(appeal, attempt: 1),
                               try F.dispatched(appeal, attempt: 2, at: F.at(2024, 3, 4, 14))],
                              handler: handler, database: database)
            #expect(try await F.clock(appeal, .reply, attempt: 1, database)?.state == "stopped")
            #expect(try await F.clock(appeal, .reply, attempt: 2, database)?.state == "running")
            try await F.apply([AppealSigned(appealId: appeal, caseNumber: "T-0001", round: 1, attempt: 1,
                                            occurredAt: F.at(2024, 3, 4, 15), departmentCode: "water")],
                              handler: handler, database: database)
            #expect(try await F.clock(appeal, .sign, attempt: 2, database)?.state == "running")
            try await F.apply([AppealReplied(appealId: appeal, caseNumber: "T-0001", round: 1, attempt: 2,
                                             occurredAt: F.at(2024, 3, 5, 15), departmentCode: "water",
                                             reply: "已处理", resolved: true)],
                              handler: handler, database: database)
            #expect(try await F.clocks(appeal, database).allSatisfy { $0.state == "stopped" })
        }
    }
    /// Rows of `deadline_early_events` for an appeal.
    func keptEvents(_ appeal: UUID, _ database: MinhuDatabase) async throws -> Int {
        try await database.withConnection { connection in
            let rows = try await connection.guardedQuery(
                "SELECT count(*)::int8 FROM deadline_early_events WHERE appeal_id = \(appeal)", logger: logger)
            var count = 0
            for try await n in rows.decode(Int.self) { count = n }
            return count
        }
    }

    @Test("events handled before their dispatch wait for it, then apply in order; stale ones are dropped")
    func eventsBeforeTheirDispatch() async throws {
        try await TestDatabase.withDatabase { database in
            let (handler, _) = try parts(FrozenClock(F.dispatchTime))
            // Signed at 10:30 for a dispatch at 10:00, handled first (twice: a redelivery is kept once).
            let signedFirst = UUID()
            let signed = AppealSigned(appealId: signedFirst, caseNumber: "T-0001", round: 1, attempt: 1,
                                      occurredAt: F.at(2024, 3, 4, 10, 30), departmentCode: "water")
            try await F.apply([signed], handler: handler, database: database)
            try await F.apply([signed], handler: handler, database: database)
            #expect(try await F.clocks(signedFirst, database).isEmpty)
            #expect(try await keptEvents(signedFirst, database) == 1)
            try await F.apply([try F.dispatched(signedFirst)], handler: handler, database: database)
            #expect(try await F.clock(signedFirst, .sign, database)?.state == "stopped")
            #expect(try await F.clock(signedFirst, .reply, database)?.state == "running")
            #expect(try await keptEvents(signedFirst, database) == 0)

            // Replied before its dispatch: both clocks start stopped.
            let repliedFirst = UUID()
            try await F.apply([AppealReplied(appealId: repliedFirst, caseNumber: "T-0001", round: 1, attempt: 1,
                                             occurredAt: F.at(2024, 3, 4, 11), departmentCode: "water",
                                             reply: "已处理", resolved: true),
                               try F.dispatched(repliedFirst)], handler: handler, database: database)
            #expect(try await F.clocks(repliedFirst, database).map(\.state) == ["stopped", "stopped"])

            // A pause and its supplement before the dispatch: applied in the order they happened.
            let pausedFirst = UUID()
            let supplemented = AppealSupplemented(appealId: pausedFirst, caseNumber: "T-0001", round: 1, attempt: 1,
                                                  occurredAt: F.at(2024, 3, 6, 10),
                                                  channel: Channel(rawValue: "wechat")!, text: "补充材料")
            let waiting = AppealAwaitingCitizen(appealId: pausedFirst, caseNumber: "T-0001", round: 1, attempt: 1,
                                                occurredAt: F.at(2024, 3, 5, 10), departmentCode: "water",
                                                reason: "需要补充材料")
            try await F.apply([supplemented, waiting, try F.dispatched(pausedFirst)], handler: handler,
                              database: database)
            let reply = try #require(try await F.clock(pausedFirst, .reply, database))
            #expect(reply.state == "running")
            #expect(reply.dueAt == F.at(2024, 3, 12, 17))  // one working day later, as in pauseResume
            #expect(try await F.emitted(database, appeal: pausedFirst).map(\.type)
                    == ["deadline.changed", "deadline.changed"])

            // Signed for a second dispatch before it: the first dispatch's clocks are not touched meanwhile.
            let redispatched = UUID()
            try await F.apply([try F.dispatched(redispatched, attempt: 1),
                               AppealSigned(appealId: redispatched, caseNumber: "T-0001", round: 1, attempt: 2,
                                            occurredAt: F.at(2024, 3, 4, 15), departmentCode: "water")],
                              handler: handler, database: database)
            #expect(try await F.clock(redispatched, .sign, attempt: 1, database)?.state == "running")
            try await F.apply([try F.dispatched(redispatched, attempt: 2, at: F.at(2024, 3, 4, 14))],
                              handler: handler, database: database)
            #expect(try await F.clock(redispatched, .sign, attempt: 1, database)?.state == "stopped")
            #expect(try await F.clock(redispatched, .sign, attempt: 2, database)?.state == "stopped")
            #expect(try await F.clock(redispatched, .reply, attempt: 2, database)?.state == "running")

            // A kept event of a dispatch that a later one overtook is stale: dropped, nothing stopped.
            let overtaken = UUID()
            try await F.apply([AppealSigned(appealId: overtaken, caseNumber: "T-0001", round: 1, attempt: 1,
                                            occurredAt: F.at(2024, 3, 4, 11), departmentCode: "water"),
                               try F.dispatched(overtaken, attempt: 2, at: F.at(2024, 3, 4, 14))],
                              handler: handler, database: database)
            #expect(try await F.clock(overtaken, .sign, attempt: 2, database)?.state == "running")
            #expect(try await keptEvents(overtaken, database) == 0)

            // A pause and its supplement of one instant, both before the dispatch: the pause goes first.
            let oneInstant = UUID()
            try await F.apply([AppealSupplemented(appealId: oneInstant, caseNumber: "T-0001", round: 1, attempt: 1,
                                                  occurredAt: F.at(2024, 3, 5, 10),
                                                  channel: Channel(rawValue: "wechat")!, text: "补充材料"),
                               AppealAwaitingCitizen(appealId: oneInstant, caseNumber: "T-0001", round: 1, attempt: 1,
                                                     occurredAt: F.at(2024, 3, 5, 10), departmentCode: "water",
                                                     reason: "需要补充材料"),
                               try F.dispatched(oneInstant)], handler: handler, database: database)
            #expect(try await F.clock(oneInstant, .reply, database)?.state == "running")

            // A supplement applied while the clocks run answers a pause from before it that is handled later.
            let supplementFirst = UUID()
            try await F.apply([try F.dispatched(supplementFirst),
                               AppealSupplemented(appealId: supplementFirst, caseNumber: "T-0001", round: 1,
                                                  attempt: 1, occurredAt: F.at(2024, 3, 6, 10),
                                                  channel: Channel(rawValue: "wechat")!, text: "补充材料"),
                               AppealAwaitingCitizen(appealId: supplementFirst, caseNumber: "T-0001", round: 1,
                                                     attempt: 1, occurredAt: F.at(2024, 3, 5, 10),
                                                     departmentCode: "water", reason: "需要补充材料")],
                              handler: handler, database: database)
            #expect(try await F.clock(supplementFirst, .reply, database)?.state == "running")
            #expect(try await F.clock(supplementFirst, .reply, database)?.dueAt == F.at(2024, 3, 11, 17))

            // A supplement from before the pause in force, handled after it, does not resume the clocks.
            let olderSupplement = UUID()
            try await F.apply([try F.dispatched(olderSupplement),
                               AppealAwaitingCitizen(appealId: olderSupplement, caseNumber: "T-0001", round: 1,
                                                     attempt: 1, occurredAt: F.at(2024, 3, 5, 10, 1),
                                                     departmentCode: "water", reason: "需要补充材料"),
                               AppealSupplemented(appealId: olderSupplement, caseNumber: "T-0001", round: 1,
                                                  attempt: 1, occurredAt: F.at(2024, 3, 5, 10),
                                                  channel: Channel(rawValue: "wechat")!, text: "补充材料")],
                              handler: handler, database: database)
            #expect(try await F.clock(olderSupplement, .reply, database)?.state == "paused")

            // A kept event whose dispatch never comes is removed by the watcher's housekeeping after 30 days.
            let orphan = UUID()
            try await F.apply([AppealSigned(appealId: orphan, caseNumber: "T-0001", round: 1, attempt: 1,
                                            occurredAt: F.at(2024, 3, 4, 11), departmentCode: "water")],
                              handler: handler, database: database)
            let removed = try await database.withConnection { connection in
                try await connection.guardedQuery("""
                    UPDATE deadline_early_events SET recorded_at = now() - interval '31 days' WHERE appeal_id = \(orphan)
                    """, logger: logger)
                return try await DeadlineEarlyEvent.prune(on: connection, logger: logger)
            }
            #expect(removed == 1)
            #expect(try await keptEvents(orphan, database) == 0)

            // Events before any dispatch (attempt 0) wait for nothing.
            let beforeDispatch = UUID()
            try await F.apply([AppealAwaitingCitizen(appealId: beforeDispatch, caseNumber: "T-0001", round: 1,
                                                     attempt: 0, occurredAt: F.at(2024, 3, 4, 9),
                                                     departmentCode: "water", reason: "需要补充材料")],
                              handler: handler, database: database)
            #expect(try await keptEvents(beforeDispatch, database) == 0)
        }
    }

    @Test("a dispatch and its signature handled at once by two copies: the second waits, the sign-by clock stops")
    func dispatchAndSignatureAtOnce() async throws {
        try await TestDatabase.withDatabase { database in
            let (handler, _) = try parts(FrozenClock(F.dispatchTime))
            let appeal = UUID()
            let (started, startedSignal) = AsyncStream<Void>.makeStream()
            let signed = DeadlineEventHandler.Event(AppealSigned(appealId: appeal, caseNumber: "T-0001", round: 1,
                                                                 attempt: 1, occurredAt: F.at(2024, 3, 4, 10, 30),
                                                                 departmentCode: "water"))
            let dispatched = DeadlineEventHandler.Event(try F.dispatched(appeal))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Copy 1: the dispatch, holding its transaction open until copy 2 waits for it.
                    _ = try await database.withTransaction { connection in
                        let out = try await handler.apply([dispatched], on: connection, logger: logger)
                        startedSignal.yield()
                        let waited = try await eventually(timeout: .seconds(30)) {
                            try await database.withConnection { probe in
                                let rows = try await probe.guardedQuery("""
                                    SELECT count(*)::int8 FROM pg_locks
                                    WHERE locktype = 'advisory' AND NOT granted AND classid = 19780
                                      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                                    """, logger: logger)
                                var waiting = 0
                                for try await n in rows.decode(Int.self) { waiting = n }
                                return waiting > 0
                            }
                        }
                        #expect(waited, "copy 2 did not wait for copy 1's transaction")
                        return out
                    }
                }
                group.addTask {
                    // Copy 2: the signature, once copy 1 holds its transaction.
                    for await _ in started { break }
                    _ = try await database.withTransaction { connection in
                        try await handler.apply([signed], on: connection, logger: logger)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await F.clock(appeal, .sign, database)?.state == "stopped")
            #expect(try await F.clock(appeal, .reply, database)?.state == "running")
            #expect(try await keptEvents(appeal, database) == 0)
        }
    }
}

@Suite("Deadline extension-decision request bodies")
struct DeadlineDecisionBodyTests {
    func refusedField(_ json: String) -> String?? {
        switch ExtensionDecisionRoute.parse(Data(json.utf8)) {
        case .success: return .none
        case .failure(let refusal): return .some(refusal.field)
        }
    }

    @Test("problem details name the field at fault")
    func fields() {
        #expect(refusedField(#"{"decided_by": "a"}"#) == .some("approve"))
        #expect(refusedField(#"{"approve": "yes", "decided_by": "a"}"#) == .some("approve"))
        #expect(refusedField(#"{"approve": true}"#) == .some("decided_by"))
        #expect(refusedField(#"{"approve": true, "decided_by": "a", "days": "five"}"#) == .some("days"))
        #expect(refusedField(#"{"approve": true, "decided_by": "a", "until": "15/03/2024"}"#) == .some("until"))
        #expect(refusedField(#"{"approve": true, "decided_by": "a", "dayz": 3}"#) == .some("dayz"))
        #expect(refusedField(#"[1]"#) == .some(nil))
        #expect(refusedField(#"{"approve": true, "decided_by": "a", "days": 3, "reason": "ok"}"#) == .none)
    }
}
