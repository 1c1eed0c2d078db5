import Foundation
import MinhuModels
import MinhuStorage
import PostgresNIO
import Testing

/// Roles and grants (DESIGN §4): each service writes only its own tables, reads reference data, and appends and
/// relays only its own outbox rows. Checked with `SET LOCAL ROLE` inside rolled-back transactions.
@Suite(.enabled(if: TestDatabase.isConfigured, "MINHU_TEST_DATABASE_URL is not set"))
struct StorageGrantTests {
    static let insufficientPrivilege = "42501"

    @Test func everyServiceRoleExistsAndCannotLogIn() async throws {
        try await TestDatabase.withDatabase { database in
            for role in ServiceRole.allCases {
                let count = try await StorageFixtures.integer("""
                    SELECT count(*) FROM pg_roles
                    WHERE rolname = \(role.roleName) AND NOT rolcanlogin
                      AND pg_has_role(rolname, 'minhu_service', 'MEMBER')
                    """, on: database)
                #expect(count == 1, "\(role.roleName)")
            }
        }
    }

    @Test func referenceDataIsReadableByAllAndWritableOnlyByItsOwner() async throws {
        try await TestDatabase.withDatabase { database in
            for role in ServiceRole.allCases {
                let counts = try await StorageFixtures.asRole(role.roleName, on: database) { connection in
                    var counts: [Int] = []
                    for table in ["departments", "categories", "calendar_days", "deadline_policies", "deputies",
                                  "schema_migrations"] {
                        let rows = try await connection.guardedQuery(
                            PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), logger: TestDatabase.logger)
                        counts += try await rows.decode(Int.self).collectAll()
                    }
                    return counts
                }
                #expect(counts.count == 6, "\(role)")
            }

            // 0019: deputies' phones only for intake, which recognises callers by them; the rest for every service.
            for role in ServiceRole.allCases {
                let phones = try await StorageFixtures.fails("SELECT phones FROM deputies", as: role.roleName,
                                                             on: database)
                #expect(phones == (role == .intake ? nil : Self.insufficientPrivilege), "\(role)")
                #expect(try await StorageFixtures.fails("SELECT id, name, level, constituency, active FROM deputies",
                                                        as: role.roleName, on: database) == nil, "\(role)")
            }

            let insertDay: PostgresQuery = "INSERT INTO calendar_days (day, kind, name) VALUES ('2031-05-06', 'off', '地方假日')"
            #expect(try await StorageFixtures.fails(insertDay, as: "minhu_deadlines", on: database) == nil)
            #expect(try await StorageFixtures.fails(insertDay, as: "minhu_reporting", on: database) == Self.insufficientPrivilege)
            #expect(try await StorageFixtures.fails(insertDay, as: "minhu_intake", on: database) == Self.insufficientPrivilege)

            // 0017: no service writes the deadline policy; the dispatcher inserts cluster members, never updates them.
            let policy: PostgresQuery = "UPDATE deadline_policies SET description = description"
            for role in ServiceRole.allCases {
                #expect(try await StorageFixtures.fails(policy, as: role.roleName, on: database)
                    == Self.insufficientPrivilege, "\(role)")
            }
            #expect(try await StorageFixtures.fails("UPDATE cluster_members SET title = title", as: "minhu_dispatcher",
                                                    on: database) == Self.insufficientPrivilege)
            #expect(try await StorageFixtures.fails("UPDATE clusters SET title = title", as: "minhu_dispatcher",
                                                    on: database) == nil)

            let insertDeputy: PostgresQuery = """
                INSERT INTO deputies (id, name, phones, level) VALUES (\(UUID()), '张三', ARRAY['13800138000'], 'city')
                """
            #expect(try await StorageFixtures.fails(insertDeputy, as: "minhu_intake", on: database) == nil)
            #expect(try await StorageFixtures.fails(insertDeputy, as: "minhu_dispatcher", on: database) == Self.insufficientPrivilege)

            let department: PostgresQuery = "UPDATE departments SET name = '改名' WHERE code = 'housing'"
            for role in ServiceRole.allCases {
                #expect(try await StorageFixtures.fails(department, as: role.roleName, on: database) == Self.insufficientPrivilege)
            }
            #expect(try await StorageFixtures.fails("CREATE TABLE sneaky (id int)", as: "minhu_reporting", on: database)
                == Self.insufficientPrivilege)
            #expect(try await StorageFixtures.fails("DELETE FROM outbox", as: "minhu_intake", on: database)
                == Self.insufficientPrivilege)

            // 0012: a tracking token is intake's alone; what no service does is not granted.
            let token: PostgresQuery = "SELECT tracking_token FROM appeals"
            #expect(try await StorageFixtures.fails(token, as: "minhu_intake", on: database) == nil)
            for role in ServiceRole.allCases where role.roleName != "minhu_intake" {
                #expect(try await StorageFixtures.fails(token, as: role.roleName, on: database) == Self.insufficientPrivilege)
                #expect(try await StorageFixtures.fails("SELECT id, case_number, title, citizen_masked FROM appeals",
                                                        as: role.roleName, on: database) == nil)
            }
            for statement: PostgresQuery in ["UPDATE appeals SET title = title", "DELETE FROM idempotency_keys",
                                             "DELETE FROM deputies"] {
                #expect(try await StorageFixtures.fails(statement, as: "minhu_intake", on: database)
                    == Self.insufficientPrivilege)
            }
        }
    }

    @Test func deputyPhonesMustBeNormalised() async throws {
        try await TestDatabase.withDatabase { database in
            let bad: PostgresQuery = """
                INSERT INTO deputies (id, name, phones, level) VALUES (\(UUID()), '李四', ARRAY['+86 138-0013-8000'], 'city')
                """
            let state = try await StorageFixtures.fails(bad, as: "minhu_intake", on: database)
            #expect(state == "23514") // check_violation
        }
    }

    @Test func aServiceAppendsAndRelaysOnlyItsOwnOutboxRows() async throws {
        try await TestDatabase.withDatabase { database in
            let logger = TestDatabase.logger
            // The migration role (the test's superuser) appends an event and a message for intake.
            let event = StorageFixtures.event(producer: "minhu-intake")
            let acknowledgement = StorageFixtures.acknowledgement(producer: "minhu-intake")
            try await StorageFixtures.append([event, acknowledgement], producer: "minhu-intake", to: database)

            // Reporting appends its own rows, not intake's.
            let own = try await StorageFixtures.asRole("minhu_reporting", on: database) { connection -> Bool in
                try await OutboxWriter.append([StorageFixtures.event(producer: "minhu-reporting", type: "report.published")],
                                              producer: "minhu-reporting", on: connection, logger: logger)
                return true
            }
            #expect(own)
            let forged = try await StorageFixtures.asRole("minhu_reporting", on: database) { connection -> String? in
                do {
                    try await OutboxWriter.append([StorageFixtures.event()], producer: "minhu-intake", on: connection,
                                                  logger: logger)
                    return nil
                } catch {
                    return PostgresErrorDetails(error).sqlState
                }
            }
            #expect(forged == Self.insufficientPrivilege)

            // Events are readable by every service (timelines); other messages only by their producer.
            let seenByReporting = try await StorageFixtures.asRole("minhu_reporting", on: database) { connection in
                let rows = try await connection.guardedQuery("SELECT message_id FROM outbox", logger: logger)
                return try await rows.decode(UUID.self).collectAll()
            }
            #expect(seenByReporting == [event.messageID])
            let seenByIntake = try await StorageFixtures.asRole("minhu_intake", on: database) { connection in
                let rows = try await connection.guardedQuery("SELECT message_id FROM outbox ORDER BY id", logger: logger)
                return try await rows.decode(UUID.self).collectAll()
            }
            #expect(seenByIntake == [event.messageID, acknowledgement.messageID])

            // Only intake's relay can mark intake's rows; others update nothing (row security hides the rows).
            let markedByReporting = try await StorageFixtures.asRole("minhu_reporting", on: database) { connection in
                let rows = try await connection.guardedQuery(
                    "UPDATE outbox SET published_at = now() WHERE producer = 'minhu-intake' RETURNING id", logger: logger)
                return try await rows.decode(Int64.self).collectAll().count
            }
            #expect(markedByReporting == 0)
            let markedByIntake = try await StorageFixtures.asRole("minhu_intake", on: database) { connection in
                let rows = try await connection.guardedQuery(
                    "UPDATE outbox SET published_at = now() WHERE producer = 'minhu-intake' RETURNING id", logger: logger)
                return try await rows.decode(Int64.self).collectAll().count
            }
            #expect(markedByIntake == 2)
            // A relay may change only the delivery columns.
            #expect(try await StorageFixtures.fails("UPDATE outbox SET body = '{}'", as: "minhu_intake", on: database)
                == Self.insufficientPrivilege)
        }
    }

    @Test("a service records inbox rows under its own consumer names only, and reads every inbox (0015)")
    func aServiceRecordsOnlyItsOwnInboxRows() async throws {
        try await TestDatabase.withDatabase { database in
            let logger = TestDatabase.logger
            let message = UUID()
            // Through the consumers' own path (ConsumerTransaction's inbox), under the service's role.
            let own = try await StorageFixtures.asRole("minhu_deadlines", on: database) { connection in
                try await Inbox(consumer: "deadlines.events").record([message, message], on: connection, logger: logger)
            }
            #expect(own == [message])
            // Forging another consumer's row would make it skip a message it never applied.
            for (role, consumer) in [("minhu_reporting", "deadlines.events"), ("minhu_intake", "dispatcher.events"),
                                     ("minhu_dispatcher", "dispatcherx.events"), ("minhu_deadlines", "nobody"),
                                     ("minhu_deadlines", "service.events")] {
                let forged = try await StorageFixtures.asRole(role, on: database) { connection -> String? in
                    do {
                        _ = try await Inbox(consumer: consumer).record([message], on: connection, logger: logger)
                        return nil
                    } catch {
                        return PostgresErrorDetails(error).sqlState
                    }
                }
                #expect(forged == Self.insufficientPrivilege, "\(role) recorded a row as \(consumer)")
            }
            // Rows recorded by the owner (the migration role) stay readable by every service.
            try await database.withConnection { connection in
                _ = try await Inbox(consumer: "dispatcher.events").record([message], on: connection, logger: logger)
            }
            let seen = try await StorageFixtures.asRole("minhu_reporting", on: database) { connection in
                try await Inbox(consumer: "dispatcher.events").contains(message, on: connection, logger: logger)
            }
            #expect(seen)
        }
    }

    @Test func aServiceRelayWorksUnderItsOwnRole() async throws {
        // The real relay, logged in as a user in minhu_dispatcher (as compose runs it): its claim, the save of its
        // outcomes (published, nacked) and the release after a failed publish need no more than the service's
        // grants and row policies, and it relays no other producer's rows.
        try await TestDatabase.withConfiguration { configuration in
            try await TestDatabase.withRunningDatabase(configuration) { database in
                let name = LoginRoleTests.freshName("dispatcher_relay")
                let password = "relay-password-" + UUID().uuidString.prefix(8)
                _ = try await database.withConnection { connection in
                    try await LoginRole.apply(name: name, service: .dispatcher,
                                              verifier: ScramVerifier.make(password: password), on: connection,
                                              logger: TestDatabase.logger)
                }
                do {
                    var asService = configuration
                    asService.username = name
                    asService.password = password
                    try await checkRelayAsService(asService, owner: database)
                } catch {
                    await LoginRoleTests.drop(name, on: database)
                    throw error
                }
                await LoginRoleTests.drop(name, on: database)
            }
        }
    }

    private func checkRelayAsService(_ configuration: DatabaseConfiguration, owner: MinhuDatabase) async throws {
        let messages = (0..<3).map { StorageFixtures.event(producer: "minhu-dispatcher", type: "appeal.classified",
                                                           number: $0) }
        try await StorageFixtures.append(messages, producer: "minhu-dispatcher", to: owner)
        try await StorageFixtures.append([StorageFixtures.event(number: 9)], to: owner) // minhu-intake's
        let publisher = RecordingPublisher()
        await publisher.setOutcome(.nacked, for: messages[0].messageID)
        let pending = try await TestDatabase.withRunningDatabase(configuration) { database in
            let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-dispatcher",
                                    configuration: StorageOutboxTests.quick, logger: TestDatabase.logger)
            let round = try await relay.flush()
            #expect(round.published == 2 && round.failed == 1)
            _ = try await owner.withConnection { connection in
                try await connection.guardedQuery(
                    "UPDATE outbox SET next_attempt_at = now() WHERE published_at IS NULL", logger: TestDatabase.logger)
            }
            await publisher.failNextCalls(1)
            await #expect(throws: RecordingPublisher.ConnectionLost.self) { try await relay.relayOnce() }
            return try await relay.pendingCount()
        }
        #expect(pending == 1)
        #expect(try await StorageFixtures.integer("""
            SELECT count(*) FROM outbox
            WHERE producer = 'minhu-dispatcher' AND published_at IS NULL AND attempts = 1 AND last_error LIKE '%nacked%'
              AND next_attempt_at <= now() + interval '1 second'
            """, on: owner) == 1, "saved as nacked, then released after the failed publish")
        #expect(try await StorageFixtures.integer(
            "SELECT count(*) FROM outbox WHERE producer = 'minhu-intake' AND published_at IS NULL", on: owner) == 1)
    }
}
