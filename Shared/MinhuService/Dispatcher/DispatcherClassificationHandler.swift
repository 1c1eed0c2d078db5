import Foundation
import Logging
import MinhuMessaging
import MinhuModels
import PostgresNIO

/// The handler of `dispatcher.events` (docs/dispatcher.md, "Classification"): on `appeal.received` it
/// classifies the appeal (category, kind, urgency, tier, place), joins it to a cluster of similar appeals, emits
/// `hotspot.detected` for each threshold the cluster crosses (once), and then either emits `appeal.classified`
/// or, when the classifier's confidence is below the configured minimum, puts the appeal on the manual desk.
///
/// Other events of the queue (`appeal.supplemented`, `appeal.reopened`, `deadline.changed`) are recorded in the
/// inbox and otherwise ignored until routing lands (issue 4 part 2). An appeal already in `cluster_members`
/// (a redelivery under another message id) is not classified twice. A batch with an `appeal.received` first
/// synchronises the cluster registry (advisory lock, members other copies recorded).
public struct DispatcherClassificationHandler: MessageHandler {
    public static let queue = "dispatcher.events"
    public static let producer = "minhu-dispatcher"

    public struct Event: Sendable {
        public var payload: any EventPayload
        public var messageID: String

        public init(payload: any EventPayload, messageID: String) {
            self.payload = payload
            self.messageID = messageID
        }
    }

    public let analyzer: any AppealTextAnalyzer
    public let settings: DispatcherSettings
    public let clusters: ClusterRegistry
    public let clock: any MinhuClock

    public init(analyzer: any AppealTextAnalyzer, settings: DispatcherSettings, clusters: ClusterRegistry,
                clock: any MinhuClock = SystemClock()) {
        self.analyzer = analyzer
        self.settings = settings
        self.clusters = clusters
        self.clock = clock
    }

    public func decode(_ delivery: AMQPDelivery) throws -> Event {
        Event(payload: try EventDelivery.decode(delivery), messageID: delivery.properties.messageID ?? "")
    }

    public func apply(_ messages: [Event], on connection: PostgresConnection, logger: Logger) async throws
        -> [OutgoingMessage] {
        if messages.contains(where: { $0.payload is AppealReceived }) {
            // Copies assign clusters one transaction at a time, each with the members the others recorded.
            try await clusters.synchronize(now: clock.now(), on: connection, logger: logger)
        }
        var out: [OutgoingMessage] = []
        for message in messages {
            if let received = message.payload as? AppealReceived {
                out += try await apply(received, on: connection, logger: logger)
            } else {
                logger.debug("event recorded, not handled yet", metadata: [
                    "event.type": "\(type(of: message.payload).eventType.rawValue)", "message.id": "\(message.messageID)"])
            }
        }
        return out
    }

    /// What the dispatcher concluded about one appeal.
    public struct Analysis: Sendable, Hashable {
        public var category: String
        /// Levels 2 and 3 within `category`, nil where the subcategory rules are not clear.
        public var level2: String?
        public var level3: String?
        public var confidence: Double
        public var kind: AppealKind
        public var urgency: Urgency
        public var tier: HandlingTier
        public var place: Place

        /// The category as `appeal.classified` carries it.
        public var categoryPath: CategoryPath { CategoryPath(level1: category, level2: level2, level3: level3) }
    }

    /// Classifies an appeal's text (pure; the text is bounded first, so any input is safe).
    public func analyze(_ appeal: AppealReceived) -> Analysis {
        let title = String(appeal.title.prefix(500))
        let detail = String(appeal.body.prefix(settings.maxTextCharacters))
        let result = analyzer.classify(title: title, detail: detail)
        let sub = analyzer.subcategory(level1: result.category, title: title, detail: detail)
        let kind = appeal.kind ?? analyzer.kind(title: title, detail: detail)
        let urgency = analyzer.urgency(title: title, detail: detail)
        let channel = appeal.fromDeputy ? "deputy" : appeal.channel.rawValue
        let tier = analyzer.tier(category: result.category, kind: kind, channel: channel, urgency: urgency,
                                 title: title, detail: detail)
        func given(_ value: String?) -> String? {
            guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
            return value
        }
        // The appeal's own fields first, then its address, then the text: a part read from the address or the text
        // is used only when its district agrees with the one the appeal gives (or, without one, with the address's),
        // since a street, estate or road found beside another district lies in that other district. (The text often
        // names where the writer lives or works, not where the matter is.)
        let givenDistrict = given(appeal.location?.district)
        let fromAddress = given(appeal.location?.address).map { analyzer.place(in: String($0.prefix(500))) } ?? Place()
        let fromText = analyzer.place(in: title + "。" + detail)
        let knownDistrict = givenDistrict.map { analyzer.place(in: $0).district ?? $0 } ?? fromAddress.district
        func agrees(_ found: Place) -> Place {
            guard let knownDistrict, let district = found.district, district != knownDistrict else { return found }
            return Place()
        }
        let address = agrees(fromAddress), text = agrees(fromText)
        let place = Place(district: givenDistrict ?? address.district ?? text.district,
                          street: given(appeal.location?.street) ?? address.street ?? text.street,
                          community: given(appeal.location?.community) ?? address.community ?? text.community,
                          road: address.road ?? text.road)
        let confidence = result.confidence.isFinite ? min(1, max(0, result.confidence)) : 0
        return Analysis(category: result.category, level2: sub.level2, level3: sub.level2 == nil ? nil : sub.level3,
                        confidence: confidence, kind: kind, urgency: urgency, tier: tier,
                        place: place)
    }

    /// When the appeal joins its cluster: the event's time, but never after the dispatcher's `now`. An event dated in
    /// the future (an intake host whose clock is ahead) would otherwise expire the whole window of the in-memory
    /// index at once, then sit at its head so that nothing behind it expired again, also after a restart (the
    /// index reloads `joined_at`).
    static func joinTime(of appeal: AppealReceived, now: Date, logger: Logger) -> Date {
        guard appeal.occurredAt > now else { return appeal.occurredAt }
        if appeal.occurredAt.timeIntervalSince(now) > 300 {
            logger.warning("appeal dated after the dispatcher's clock; clustered at the dispatcher's time", metadata: [
                "appeal.id": "\(appeal.appealId)", "appeal.occurred_at": "\(appeal.occurredAt)",
                "clock.ahead_seconds": "\(Int(appeal.occurredAt.timeIntervalSince(now)))"])
        }
        return now
    }

    /// Handles one `appeal.received` inside the consumer transaction, after `clusters.synchronize` in that
    /// transaction; returns what to append to the outbox.
    public func apply(_ appeal: AppealReceived, on connection: PostgresConnection, logger: Logger) async throws
        -> [OutgoingMessage] {
        let seen = try await connection.guardedQuery("SELECT 1::int8 FROM cluster_members WHERE appeal_id = \(appeal.appealId)",
                                              logger: logger)
        for try await _ in seen.decode(Int.self) {
            logger.info("appeal already classified; ignored", metadata: ["appeal.id": "\(appeal.appealId)"])
            return []
        }
        let analysis = analyze(appeal)
        let confident = analysis.confidence >= settings.minimumConfidence
        let now = clock.now()
        let joinedAt = Self.joinTime(of: appeal, now: now, logger: logger)
        let title = String(appeal.title.prefix(500))
        let excerpt = String(appeal.body.prefix(160))
        let clusterID = clusters.assign(appealID: appeal.appealId, title: title, detail: excerpt,
                                        time: joinedAt, placeKey: analysis.place.clusterKey)
        let join = try await clusters.record(
            clusterID: clusterID, appealID: appeal.appealId, caseNumber: appeal.caseNumber, title: title,
            detailExcerpt: excerpt, place: analysis.place, citizenKey: ClusterRegistry.citizenKey(appeal.citizen),
            category: confident ? analysis.category : nil,
            joinedAt: joinedAt, thresholds: settings.hotspotThresholds,
            hotspotWindow: TimeInterval(settings.hotspotWindowDays) * 86_400, on: connection, logger: logger)
        var out: [OutgoingMessage] = []
        for threshold in join.newThresholds {
            let hotspot = HotspotDetected(
                clusterId: join.clusterID, size: join.windowSize, threshold: threshold,
                people: join.windowPeople, windowStart: join.windowStart, windowEnd: joinedAt, title: join.title,
                place: join.place,
                category: join.category.map { CategoryPath(level1: $0) }, memberAppealIds: join.windowMembers,
                occurredAt: now)
            out.append(try MessageEnvelope.event(hotspot, producer: Self.producer, at: now))
            logger.info("hotspot detected", metadata: ["cluster.id": "\(join.clusterID)",
                                                       "hotspot.threshold": "\(threshold)",
                                                       "cluster.size": "\(join.windowSize)",
                                                       "cluster.people": "\(join.windowPeople)"])
        }
        if confident {
            let department = try await suggestedDepartment(analysis.category, on: connection, logger: logger)
            let classified = AppealClassified(
                appealId: appeal.appealId, caseNumber: appeal.caseNumber, round: appeal.round, attempt: appeal.attempt,
                occurredAt: now, category: analysis.categoryPath, confidence: analysis.confidence,
                kind: analysis.kind, urgency: analysis.urgency, tier: analysis.tier, place: analysis.place,
                clusterId: join.clusterID, manual: false, departmentCode: department)
            out.append(try MessageEnvelope.event(classified, producer: Self.producer, at: now))
            logger.info("appeal classified", metadata: [
                "appeal.id": "\(appeal.appealId)", "category": "\(analysis.categoryPath.displayName)",
                "confidence": "\(String(format: "%.3f", analysis.confidence))", "cluster.id": "\(join.clusterID)"])
        } else {
            try await ManualDesk.enqueue(appeal, analysis: analysis, clusterID: join.clusterID, at: now,
                                         on: connection, logger: logger)
            logger.info("appeal sent to the manual desk", metadata: [
                "appeal.id": "\(appeal.appealId)", "confidence": "\(String(format: "%.3f", analysis.confidence))"])
        }
        return out
    }

    /// The lead department for a first-level category, when the map names an active department.
    func suggestedDepartment(_ category: String, on connection: PostgresConnection, logger: Logger) async throws
        -> String? {
        guard let code = settings.departmentByCategory[category] else { return nil }
        let rows = try await connection.guardedQuery("SELECT code FROM departments WHERE code = \(code) AND active",
                                              logger: logger)
        for try await found in rows.decode(String.self) { return found }
        return nil
    }
}
