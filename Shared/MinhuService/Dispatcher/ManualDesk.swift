import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// The manual dispatch desk (人工派单, docs/dispatcher.md "Manual desk"): appeals the classifier was not confident
/// about wait in `desk_items` until a dispatcher sets category and department; the decision emits a manual
/// `appeal.classified` in the same transaction. Every decision stays in the table and is exported as training data.
public struct ManualDesk: Sendable {
    /// One open desk item as `GET /v1/desk` shows it.
    public struct Item: Encodable, Sendable {
        public var case_number: String
        public var appeal_id: UUID
        public var channel: String
        public var title: String
        public var excerpt: String
        public var suggested_category: String?
        /// Levels 2 and 3 under `suggested_category` when the subcategory rules resolve them.
        public var suggested_level2: String?
        public var suggested_level3: String?
        public var confidence: Double
        public var kind: String
        public var urgency: String
        public var tier: String
        public var place: Place
        public var cluster_id: UUID?
        public var created_at: String
    }

    /// A dispatcher's decision.
    public struct Decision: Sendable {
        public var category: CategoryPath
        public var department: String
        public var kind: AppealKind?
        public var urgency: Urgency?
        public var tier: HandlingTier?
        public var decidedBy: String
    }

    /// Why a decision was refused; `field` names the input at fault.
    public struct Refusal: Error, Sendable {
        public enum Kind: Sendable { case invalid, notFound, conflict }
        public var kind: Kind
        public var field: String?
        public var reason: String
    }

    public let database: MinhuDatabase
    public let clock: any MinhuClock
    /// The rules that give a decision's tier when the dispatcher does not set one.
    public let analyzer: any AppealTextAnalyzer

    /// How much of the body the rules read (`MINHU_DISPATCH_MAX_TEXT_CHARS`), as when the appeal was analysed.
    public let maxTextCharacters: Int

    public init(database: MinhuDatabase, analyzer: any AppealTextAnalyzer, clock: any MinhuClock = SystemClock(),
                maxTextCharacters: Int = DispatcherSettings.defaultMaxTextCharacters) {
        self.database = database
        self.analyzer = analyzer
        self.clock = clock
        self.maxTextCharacters = maxTextCharacters
    }

    /// Puts an appeal on the desk (inside the consumer's transaction); a second time is a no-op.
    static func enqueue(_ appeal: AppealReceived, analysis: DispatcherClassificationHandler.Analysis, clusterID: UUID?,
                        at now: Date, on connection: PostgresConnection, logger: Logger) async throws {
        let placeJSON = String(decoding: try MinhuJSON.encode(analysis.place), as: UTF8.self)
        let channel = appeal.fromDeputy ? "deputy" : appeal.channel.rawValue
        let body = String(appeal.body.prefix(20_000))
        let title = String(appeal.title.prefix(500))
        try await connection.guardedQuery("""
            INSERT INTO desk_items (appeal_id, case_number, round, attempt, channel, title, body, suggested_category,
                suggested_level2, suggested_level3, confidence, kind, urgency, tier, place, cluster_id, created_at)
            VALUES (\(appeal.appealId), \(appeal.caseNumber), \(appeal.round), \(appeal.attempt), \(channel), \(title),
                \(body), \(analysis.category), \(analysis.level2), \(analysis.level3), \(analysis.confidence),
                \(analysis.kind.rawValue),
                \(analysis.urgency.rawValue), \(analysis.tier.rawValue), \(placeJSON)::jsonb, \(clusterID), \(now))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// The most open items `GET /v1/desk` lists at once (`limit`), and how many by default.
    public static let maximumListed = 5_000
    public static let defaultListed = 500

    /// The open items, oldest first: `limit` of them after the first `offset`.
    public func openItems(limit: Int = defaultListed, offset: Int = 0, logger: Logger) async throws -> [Item] {
        try await database.withConnection { connection in
            let rows = try await connection.guardedQuery("""
                SELECT case_number, appeal_id, channel, title, left(body, 200), suggested_category, suggested_level2,
                    suggested_level3, confidence, kind, urgency, tier, place::text, cluster_id, created_at
                FROM desk_items WHERE decided_at IS NULL ORDER BY created_at, case_number
                LIMIT \(limit) OFFSET \(offset)
                """, logger: logger)
            var items: [Item] = []
            let format = ISO8601DateFormatter()
            for try await (caseNumber, appeal, channel, title, excerpt, suggested, level2, level3, confidence, kind,
                           urgency, tier, place, cluster, created) in rows.decode(
                (String, UUID, String, String, String, String?, String?, String?, Double, String, String, String,
                 String, UUID?, Date).self) {
                items.append(Item(case_number: caseNumber, appeal_id: appeal, channel: channel, title: title,
                                  excerpt: excerpt, suggested_category: suggested, suggested_level2: level2,
                                  suggested_level3: level3, confidence: confidence, kind: kind,
                                  urgency: urgency, tier: tier,
                                  place: (try? MinhuJSON.decode(Place.self, from: Data(place.utf8))) ?? Place(),
                                  cluster_id: cluster, created_at: format.string(from: created)))
            }
            return items
        }
    }

    /// Records `decision` for `caseNumber` and emits the manual `appeal.classified`, in one transaction. Kind and
    /// urgency default to the ones the appeal was put on the desk with; the tier, unless the dispatcher sets it, is
    /// the rules' tier for the decided category, kind and urgency (it depends on all three).
    /// The same decision again from the same dispatcher (a client retrying after a lost answer) is answered with the
    /// `appeal.classified` it emitted, and nothing changes.
    /// Throws `Refusal` (404 unknown case, 409 decided already otherwise, 400 unknown category or department).
    public func decide(caseNumber: String, decision: Decision, logger: Logger) async throws -> AppealClassified {
        try await database.withTransaction { connection in
            let rows = try await connection.guardedQuery("""
                SELECT appeal_id, round, attempt, kind, urgency, channel, title, body, place::text, cluster_id,
                    decided_at
                FROM desk_items WHERE case_number = \(caseNumber) FOR UPDATE
                """, logger: logger)
            var found: (UUID, Int, Int, String, String, String, String, String, String, UUID?, Date?)?
            for try await row in rows.decode(
                (UUID, Int, Int, String, String, String, String, String, String, UUID?, Date?).self) {
                found = row
            }
            guard let (appealID, round, attempt, kind, urgency, channel, title, body, place, cluster, decidedAt) = found
            else {
                throw Refusal(kind: .notFound, field: nil, reason: "case \(caseNumber) is not on the manual desk")
            }
            if decidedAt != nil {
                if let earlier = try await repeated(decision, appealID: appealID, on: connection, logger: logger) {
                    return earlier
                }
                throw Refusal(kind: .conflict, field: nil, reason: "case \(caseNumber) has been decided already")
            }
            try await validate(decision, on: connection, logger: logger)
            let now = clock.now()
            let chosenKind = decision.kind ?? AppealKind(rawValue: kind) ?? .complaint
            let chosenUrgency = decision.urgency ?? Urgency(rawValue: urgency) ?? .normal
            let chosenTier = decision.tier ?? analyzer.tier(category: decision.category.level1, kind: chosenKind,
                                                            channel: channel, urgency: chosenUrgency, title: title,
                                                            detail: String(body.prefix(maxTextCharacters)))
            try await connection.guardedQuery("""
                UPDATE desk_items SET decided_at = \(now), decided_by = \(decision.decidedBy),
                    decided_level1 = \(decision.category.level1), decided_level2 = \(decision.category.level2),
                    decided_level3 = \(decision.category.level3), decided_department = \(decision.department),
                    decided_kind = \(chosenKind.rawValue), decided_urgency = \(chosenUrgency.rawValue),
                    decided_tier = \(chosenTier.rawValue)
                WHERE appeal_id = \(appealID)
                """, logger: logger)
            let classified = AppealClassified(
                appealId: appealID, caseNumber: caseNumber, round: round, attempt: attempt, occurredAt: now,
                category: decision.category, confidence: 1, kind: chosenKind, urgency: chosenUrgency, tier: chosenTier,
                place: (try? MinhuJSON.decode(Place.self, from: Data(place.utf8))) ?? Place(), clusterId: cluster,
                manual: true, departmentCode: decision.department, classifiedBy: decision.decidedBy)
            let message = try MessageEnvelope.event(classified, producer: DispatcherClassificationHandler.producer,
                                                    at: now)
            try await OutboxWriter.append([message], producer: DispatcherClassificationHandler.producer,
                                          on: connection, logger: logger)
            logger.info("manual classification", metadata: ["appeal.id": "\(appealID)",
                                                            "department": "\(decision.department)"])
            return classified
        }
    }

    /// The `appeal.classified` emitted for `appealID`'s decision when `decision` is that decision again, by the same
    /// dispatcher; nil otherwise. A field the retry leaves out (kind, urgency, tier) matches what was decided.
    func repeated(_ decision: Decision, appealID: UUID, on connection: PostgresConnection,
                  logger: Logger) async throws -> AppealClassified? {
        let rows = try await connection.guardedQuery("""
            SELECT o.body FROM desk_items d
            JOIN outbox o ON o.correlation_id = \(appealID.uuidString) AND o.is_event
                AND o.type = 'appeal.classified' AND o.producer = \(DispatcherClassificationHandler.producer)
            WHERE d.appeal_id = \(appealID) AND d.decided_by = \(decision.decidedBy)
                AND d.decided_level1 = \(decision.category.level1)
                AND d.decided_level2 IS NOT DISTINCT FROM \(decision.category.level2)
                AND d.decided_level3 IS NOT DISTINCT FROM \(decision.category.level3)
                AND d.decided_department = \(decision.department)
                AND d.decided_kind = coalesce(\(decision.kind?.rawValue), d.decided_kind)
                AND d.decided_urgency = coalesce(\(decision.urgency?.rawValue), d.decided_urgency)
                AND d.decided_tier = coalesce(\(decision.tier?.rawValue), d.decided_tier)
            ORDER BY o.id DESC LIMIT 1
            """, logger: logger)
        for try await body in rows.decode(String.self) {
            let earlier = try MinhuJSON.decode(AppealClassified.self, from: Data(body.utf8))
            return earlier.manual ? earlier : nil
        }
        return nil
    }

    /// The category must exist in `categories` (level 1 at least; the given lower levels under it) and the
    /// department must be active in `departments`.
    func validate(_ decision: Decision, on connection: PostgresConnection, logger: Logger) async throws {
        let category = decision.category
        func count(_ query: PostgresQuery) async throws -> Int {
            var value = 0
            for try await n in try await connection.guardedQuery(query, logger: logger).decode(Int.self) { value = n }
            return value
        }
        guard try await count("SELECT count(*) FROM categories WHERE active AND level1 = \(category.level1)") > 0 else {
            throw Refusal(kind: .invalid, field: "category.level1", reason: "unknown category '\(category.level1)'")
        }
        if let level2 = category.level2 {
            guard try await count("""
                SELECT count(*) FROM categories WHERE active AND level1 = \(category.level1) AND level2 = \(level2)
                """) > 0 else {
                throw Refusal(kind: .invalid, field: "category.level2",
                              reason: "unknown category '\(category.level1)/\(level2)'")
            }
        }
        if let level3 = category.level3 {
            guard try await count("""
                SELECT count(*) FROM categories WHERE active AND level1 = \(category.level1)
                    AND level2 = \(category.level2) AND level3 = \(level3)
                """) > 0 else {
                throw Refusal(kind: .invalid, field: "category.level3", reason: "unknown category '\(category.displayName)'")
            }
        }
        guard try await count("SELECT count(*) FROM departments WHERE active AND code = \(decision.department)") > 0 else {
            throw Refusal(kind: .invalid, field: "department", reason: "unknown or inactive department '\(decision.department)'")
        }
    }

    /// Where one page of ``decisionsPage(since:after:limit:logger:)`` ended: the last decision's time and case.
    public struct DecisionCursor: Sendable, Equatable {
        public var decidedAt: Date
        public var caseNumber: String
    }

    /// The header of the decisions export (training data: label = first-level category).
    public static let decisionsHeader = "id,title,detail,label\r\n"

    /// One page of the manual decisions as training data (those made on or after `since`, when given), in the order
    /// they were made, after `cursor`: RFC 4180 rows `id,title,detail,label` (no header), and where the page ended
    /// (nil when it was the last). The export is read page by page, so years of decisions (bodies up to 20,000
    /// characters each) never sit in memory at once and no connection waits on a slow client.
    public func decisionsPage(since: Date?, after cursor: DecisionCursor?, limit: Int = 500,
                              logger: Logger) async throws -> (csv: String, next: DecisionCursor?) {
        try await database.withConnection { connection in
            let rows = try await connection.guardedQuery("""
                SELECT case_number, title, body, decided_level1, decided_at FROM desk_items
                WHERE decided_at IS NOT NULL AND decided_at >= coalesce(\(since), '-infinity'::timestamptz)
                    AND (decided_at, case_number) > (coalesce(\(cursor?.decidedAt), '-infinity'::timestamptz),
                                                     coalesce(\(cursor?.caseNumber), ''))
                ORDER BY decided_at, case_number
                LIMIT \(limit)
                """, logger: logger)
            var csv = ""
            var last: DecisionCursor?
            var count = 0
            for try await (id, title, body, label, decidedAt)
                in rows.decode((String, String, String, String, Date).self) {
                csv += [id, title, body, label].map(Self.csvField).joined(separator: ",") + "\r\n"
                last = DecisionCursor(decidedAt: decidedAt, caseNumber: id)
                count += 1
            }
            return (csv, count == limit ? last : nil)
        }
    }

    /// One RFC 4180 field: quoted when it holds a comma, quote or line break (quotes doubled).
    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
