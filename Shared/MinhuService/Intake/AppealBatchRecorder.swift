import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// Records a batch of drafts (one consumer batch of `intake.channels`) with a fixed number of statements whatever
/// its size: one query for resends, one for deputies, one for case numbers, one insert of every case file (appeals,
/// contacts and status rows from arrays). The events and acknowledgements are returned for the consumer
/// transaction to append to the outbox in one multi-row insert. `AppealRecorder.record` is a batch of one.
struct AppealBatchRecorder {
    let recorder: AppealRecorder

    /// Thrown when an appeal was neither inserted nor found (it cannot happen: the insert only skips a row whose
    /// channel id another transaction committed first).
    struct NotRecorded: Error, CustomStringConvertible {
        var description: String { "an appeal of the batch was neither inserted nor found" }
    }

    private struct Key: Hashable {
        var channel: String
        var externalId: String
    }

    func record(_ drafts: [AppealDraft], acknowledge: Bool, on connection: PostgresConnection,
                logger: Logger) async throws -> (recorded: [RecordedAppeal], messages: [OutgoingMessage]) {
        let now = recorder.clock.now()
        var known = try await existing(drafts, on: connection, logger: logger)
        // The first occurrence of each channel id not yet recorded is new; later ones are resends of it.
        var fresh: [Int] = []
        var claimed = Set<Key>()
        for (index, draft) in drafts.enumerated() {
            if let externalId = draft.externalId {
                let key = Key(channel: draft.channel.rawValue, externalId: externalId)
                guard known[key] == nil, claimed.insert(key).inserted else { continue }
            }
            fresh.append(index)
        }
        let deputies = try await deputiesByPhone(Set(fresh.map { drafts[$0].citizen.phone }), on: connection,
                                                 logger: logger)
        let numbers = try await caseNumbers(fresh.count, on: connection, logger: logger)
        let day = LocalDate(now, in: recorder.timeZone)
        let prefix = String(format: "%04d%02d%02d", day.year, day.month, day.day)

        var appeals: [(appeal: Appeal, draft: AppealDraft, token: String)] = []
        for (position, index) in fresh.enumerated() {
            let draft = drafts[index]
            // An appeal made anonymously is nobody's, a deputy's phone notwithstanding: attributing it would name
            // the caller to every service that reads the deputies table.
            let deputy = draft.citizen.anonymous ? nil : deputies[draft.citizen.phone]
            var appeal = Appeal(id: UUID(), caseNumber: prefix + "-" + String(format: "%06d", numbers[position]),
                                channel: deputy == nil ? draft.channel : .deputy, externalId: draft.externalId,
                                kind: draft.kind, title: draft.title, body: draft.body, submittedAt: draft.submittedAt,
                                location: draft.location, citizen: draft.citizen, attachments: draft.attachments)
            if let deputy { appeal.attribute(to: deputy) }
            appeals.append((appeal, draft, AppealRecorder.newToken()))
        }
        let inserted = try await insert(appeals, at: now, on: connection, logger: logger)
        if inserted.count < appeals.count {
            // A concurrent transaction committed some of these channel ids first: those are resends of its appeals.
            let lost = appeals.filter { !inserted.contains($0.appeal.id) }.map(\.draft)
            known.merge(try await existing(lost, on: connection, logger: logger)) { old, _ in old }
        }

        var messages: [OutgoingMessage] = []
        for (appeal, draft, token) in appeals where inserted.contains(appeal.id) {
            let received = AppealReceived(appeal: appeal, occurredAt: now, arrivalChannel: draft.channel,
                                          serviceCode: draft.serviceCode)
            messages.append(try MessageEnvelope.event(received,
                                                      producer: AppealRecorder.producer, at: now))
            let recorded = RecordedAppeal(appealId: appeal.id, caseNumber: appeal.caseNumber, trackingToken: token,
                                          receivedAt: now, channel: appeal.channel, fromDeputy: appeal.fromDeputy,
                                          isNew: true)
            if let externalId = draft.externalId {
                known[Key(channel: draft.channel.rawValue, externalId: externalId)] = recorded
            }
            logger.info("appeal received", metadata: [
                "case_number": "\(appeal.caseNumber)", "channel": "\(appeal.channel)",
                "arrival_channel": "\(draft.channel)", "from_deputy": "\(appeal.fromDeputy)",
                "citizen.phone": "\(Citizen.maskPhone(draft.citizen.phone))",
            ])
        }
        var recorded: [RecordedAppeal] = []
        var freshResults = Dictionary(uniqueKeysWithValues: zip(fresh, appeals).filter { inserted.contains($1.appeal.id) }
                                      .map { index, entry in
            (index, RecordedAppeal(appealId: entry.appeal.id, caseNumber: entry.appeal.caseNumber,
                                   trackingToken: entry.token, receivedAt: now, channel: entry.appeal.channel,
                                   fromDeputy: entry.appeal.fromDeputy, isNew: true))
        })
        for (index, draft) in drafts.enumerated() {
            let result: RecordedAppeal
            if let value = freshResults.removeValue(forKey: index) {
                result = value
            } else if let externalId = draft.externalId,
                      var value = known[Key(channel: draft.channel.rawValue, externalId: externalId)] {
                value.isNew = false
                result = value
            } else {
                throw NotRecorded()
            }
            recorded.append(result)
            if acknowledge { messages.append(try recorder.acknowledgement(result, draft: draft)) }
        }
        return (recorded, messages)
    }

    /// Appeals already recorded under the batch's channel ids.
    private func existing(_ drafts: [AppealDraft], on connection: PostgresConnection,
                          logger: Logger) async throws -> [Key: RecordedAppeal] {
        try await Self.existing(drafts.compactMap { draft in draft.externalId.map { (draft.channel.rawValue, $0) } },
                                on: connection, logger: logger)
    }

    /// The appeal recorded on `channel` under `externalId`, if any (as a resend finds it).
    static func existing(channel: MinhuModels.Channel, externalId: String, on connection: PostgresConnection,
                         logger: Logger) async throws -> RecordedAppeal? {
        try await existing([(channel.rawValue, externalId)], on: connection, logger: logger).values.first
    }

    /// Appeals already recorded under the (arrival channel, external id) pairs `keyed`.
    private static func existing(_ keyed: [(String, String)], on connection: PostgresConnection,
                                 logger: Logger) async throws -> [Key: RecordedAppeal] {
        guard !keyed.isEmpty else { return [:] }
        let rows = try await connection.guardedQuery("""
            SELECT a.id, a.case_number, a.tracking_token, a.received_at, a.channel, a.from_deputy, a.arrival_channel,
                   a.external_id
            FROM appeals a JOIN unnest(\(keyed.map(\.0)), \(keyed.map(\.1))) AS k(channel, external_id)
              ON a.arrival_channel = k.channel AND a.external_id = k.external_id
            """, logger: logger)
        var found: [Key: RecordedAppeal] = [:]
        for try await (id, number, token, received, channel, fromDeputy, arrival, externalId)
            in rows.decode((UUID, String, String, Date, String, Bool, String, String).self) {
            found[Key(channel: arrival, externalId: externalId)] = RecordedAppeal(
                appealId: id, caseNumber: number, trackingToken: token, receivedAt: received,
                channel: MinhuModels.Channel(rawValue: channel) ?? .hotline, fromDeputy: fromDeputy, isNew: false)
        }
        return found
    }

    /// The active deputies whose phones are among `phones` (canonical digits).
    private func deputiesByPhone(_ phones: Set<String>, on connection: PostgresConnection,
                                 logger: Logger) async throws -> [String: Deputy] {
        guard !phones.isEmpty else { return [:] }
        let rows = try await connection.guardedQuery("""
            SELECT p.phone, d.id, d.name, d.level, d.constituency
            FROM unnest(\(Array(phones))::text[]) AS p(phone)
            JOIN deputies d ON d.active AND d.phones @> ARRAY[p.phone]
            ORDER BY d.updated_at DESC, d.id
            """, logger: logger)
        var found: [String: Deputy] = [:]
        for try await (phone, id, name, level, constituency) in rows.decode((String, UUID, String, String, String?).self) {
            guard found[phone] == nil, let level = DeputyLevel(rawValue: level) else { continue }
            found[phone] = Deputy(id: id, name: name, level: level, phone: phone, constituency: constituency)
        }
        return found
    }

    private func caseNumbers(_ count: Int, on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        guard count > 0 else { return [] }
        var numbers: [Int] = []
        numbers.reserveCapacity(count)
        for try await number in try await connection.guardedQuery(
            "SELECT nextval('appeal_number_seq') FROM generate_series(1, \(count))", logger: logger).decode(Int.self) {
            numbers.append(number)
        }
        return numbers.sorted()
    }

    /// Inserts the case files from column arrays; returns the ids of the appeals inserted (a channel id another
    /// transaction committed first is skipped).
    private func insert(_ appeals: [(appeal: Appeal, draft: AppealDraft, token: String)], at now: Date,
                        on connection: PostgresConnection, logger: Logger) async throws -> Set<UUID> {
        guard !appeals.isEmpty else { return [] }
        func json(_ value: some Encodable) throws -> String { String(decoding: try MinhuJSON.encode(value), as: UTF8.self) }
        let ids = appeals.map(\.appeal.id)
        let cases = appeals.map(\.appeal.caseNumber)
        let channels = appeals.map(\.appeal.channel.rawValue)
        let arrivals = appeals.map(\.draft.channel.rawValue)
        let externalIds = appeals.map { $0.draft.externalId ?? "" }
        let kinds = appeals.map { $0.draft.kind?.rawValue ?? "" }
        let titles = appeals.map(\.appeal.title)
        let bodies = appeals.map(\.appeal.body)
        let submitted = appeals.map(\.appeal.submittedAt)
        let locations = try appeals.map { entry in try entry.draft.location.map(json) ?? "" }
        let attachments = try appeals.map { try json($0.draft.attachments.map(\.absoluteString)) }
        let masked = try appeals.map { try json($0.appeal.citizen.masked) }
        let fromDeputy = appeals.map(\.appeal.fromDeputy)
        let deputyIds = appeals.map { $0.appeal.deputyId?.uuidString ?? "" }
        let deputyLevels = appeals.map { $0.appeal.deputyLevel?.rawValue ?? "" }
        let serviceCodes = appeals.map { $0.draft.serviceCode ?? "" }
        let tokens = appeals.map(\.token)
        let names = appeals.map { $0.appeal.citizen.anonymous ? "" : ($0.appeal.citizen.name ?? "") }
        let phones = appeals.map(\.appeal.citizen.phone)
        let preferred = appeals.map { $0.appeal.citizen.preferredChannel?.rawValue ?? "" }
        let anonymous = appeals.map(\.appeal.citizen.anonymous)
        let rank = AppealStatus.received.lifecycleRank
        let rows = try await connection.guardedQuery("""
            WITH u AS (
                SELECT * FROM unnest(\(ids), \(cases), \(channels), \(arrivals), \(externalIds), \(kinds), \(titles),
                                     \(bodies), \(submitted), \(locations), \(attachments), \(masked), \(fromDeputy),
                                     \(deputyIds), \(deputyLevels), \(serviceCodes), \(tokens), \(names), \(phones),
                                     \(preferred), \(anonymous))
                    AS u(id, case_number, channel, arrival, external_id, kind, title, body, submitted_at, location,
                         attachments, masked, from_deputy, deputy_id, deputy_level, service_code, token, c_name,
                         c_phone, c_preferred, c_anonymous)),
            a AS (
                INSERT INTO appeals (id, case_number, channel, arrival_channel, external_id, kind, title, body,
                                     submitted_at, received_at, location, attachments, citizen_masked, from_deputy,
                                     deputy_id, deputy_level, service_code, tracking_token)
                SELECT u.id, u.case_number, u.channel, u.arrival, NULLIF(u.external_id, ''), NULLIF(u.kind, ''),
                       u.title, u.body, u.submitted_at, \(now), NULLIF(u.location, '')::jsonb,
                       ARRAY(SELECT jsonb_array_elements_text(u.attachments::jsonb)), u.masked::jsonb, u.from_deputy,
                       NULLIF(u.deputy_id, '')::uuid, NULLIF(u.deputy_level, ''), NULLIF(u.service_code, ''), u.token
                FROM u
                ON CONFLICT (arrival_channel, external_id) DO NOTHING
                RETURNING id, case_number),
            c AS (
                INSERT INTO citizen_contacts (appeal_id, name, phone, preferred_channel, anonymous)
                SELECT u.id, NULLIF(u.c_name, ''), u.c_phone, NULLIF(u.c_preferred, ''), u.c_anonymous
                FROM u JOIN a ON a.id = u.id),
            s AS (
                INSERT INTO appeal_status (appeal_id, case_number, status, round, attempt, rank, position_at,
                                           last_event, updated_at)
                SELECT a.id, a.case_number, 'received', 1, 0, \(rank), \(now), 'appeal.received', \(now) FROM a)
            SELECT id FROM a
            """, logger: logger)
        var insertedIds = Set<UUID>()
        for try await id in rows.decode(UUID.self) { insertedIds.insert(id) }
        return insertedIds
    }
}
