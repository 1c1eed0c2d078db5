import Foundation
import MinhuModels
import MinhuService
import MinhuStorage
import PostgresNIO
import Testing

/// The deadlines service's work needs no more than `minhu_deadlines`' grants; other services only read the clocks.
@Suite("Deadline tables under the service roles", .enabled(if: TestDatabase.isConfigured))
struct DeadlineGrantTests {
    let logger = TestDatabase.logger

    @Test("minhu_deadlines starts clocks, records and decides a request, and runs the watcher query")
    func deadlinesRoleSuffices() async throws {
        try await TestDatabase.withDatabase { database in
            let logger = self.logger
            let decided = try await StorageFixtures.asRole("minhu_deadlines", on: database) { connection in
                let clock = FrozenClock(DeadlineFixtures.at(2024, 3, 12, 9))
                let context = try DeadlineFixtures.context()
                let contexts = DeadlineContextProvider(try await DeadlineContext.load(on: connection, logger: logger))
                let handler = DeadlineEventHandler(contexts: contexts, clock: clock)
                let appeal = UUID()
                // Signed before its dispatch (the batch path, with its advisory lock): kept, then applied.
                _ = try await handler.apply(
                    [DeadlineEventHandler.Event(AppealSigned(appealId: appeal, caseNumber: "G-1", round: 1, attempt: 1,
                                                             occurredAt: DeadlineFixtures.at(2024, 3, 4, 11),
                                                             departmentCode: "water"))],
                    on: connection, logger: logger)
                for event in [try DeadlineFixtures.dispatched(appeal, case: "G-1"),
                              AppealExtensionRequested(appealId: appeal, caseNumber: "G-1", round: 1, attempt: 1,
                                                       occurredAt: DeadlineFixtures.at(2024, 3, 6, 9),
                                                       departmentCode: "water", workingDays: 2, reason: "x")] as [any EventPayload] {
                    _ = try await handler.apply(event, context: context, on: connection, logger: logger)
                }
                let sign = try await DeadlineClockRow.all(appealID: appeal, on: connection, logger: logger)
                    .first { $0.clock == .sign }
                #expect(sign?.state == "stopped")
                // The watcher reads the event log (the outbox's event rows) under its role too.
                _ = try await DeadlineEventLog.entries(about: [appeal], watcherStartedAt: Date(), on: connection,
                                                       logger: logger)
                let (due, _) = try await DeadlineWatcher.countDue(at: clock.now(), on: connection, logger: logger)
                let outcome = try await ExtensionDecider(contexts: contexts, clock: clock).decide(
                    .caseNumber("G-1"), approve: true, reason: nil, decidedBy: "lead", on: connection, logger: logger)
                try await OutboxWriter.append(outcome.messages, producer: DeadlineContext.producer, on: connection,
                                              logger: logger)
                return (due, outcome.grantedWorkingDays)
            }
            #expect(decided.0 == 1)  // the reply clock only: the sign-by clock stopped
            #expect(decided.1 == 2)
        }
    }

    @Test("other services read the clocks and kept events but cannot write them")
    func othersOnlyRead() async throws {
        try await TestDatabase.withDatabase { database in
            let logger = self.logger
            let state = try await StorageFixtures.asRole("minhu_reporting", on: database) { connection -> String? in
                _ = try await connection.guardedQuery("SELECT count(*) FROM deadline_clocks", logger: logger)
                do {
                    try await connection.guardedQuery("""
                        INSERT INTO deadline_clocks (appeal_id, round, attempt, clock, case_number, department, policy,
                            limit_spec, started_at, window_start, due_at)
                        VALUES (\(UUID()), 1, 1, 'reply', 'X', 'water', 'p', '{"hours": 2}', now(), now(), now())
                        """, logger: logger)
                    return nil
                } catch {
                    return PostgresErrorDetails(error).sqlState
                }
            }
            #expect(state == "42501")
            let early = try await StorageFixtures.asRole("minhu_dispatcher", on: database) { connection -> String? in
                _ = try await connection.guardedQuery("SELECT count(*) FROM deadline_early_events", logger: logger)
                do {
                    try await connection.guardedQuery("""
                        INSERT INTO deadline_early_events (appeal_id, round, attempt, event_type, occurred_at)
                        VALUES (\(UUID()), 1, 1, 'appeal.signed', now())
                        """, logger: logger)
                    return nil
                } catch {
                    return PostgresErrorDetails(error).sqlState
                }
            }
            #expect(early == "42501")
        }
    }
}
