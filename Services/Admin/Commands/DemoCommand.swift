import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MinhuMessaging
import MinhuModels
import MinhuStorage
import MinhuText
import PostgresNIO

/// `minhu demo replay`: replays real citizen messages into the running suite and prints each appeal's state as it
/// changes. Used by `scripts/demo`.
///
/// With `--intake-url` and `--api-key` (what `scripts/demo` does), each message is submitted to minhu-intake's
/// `POST /v1/appeals` like an agent's console would, and intake commits the case file and its `appeal.received`
/// event. Without them, the command builds the event itself under the producer `minhu-demo`. Either way it then
/// follows the appeal through the services: each service's consumer records it in its inbox. Alongside, it
/// shows what the shared rules say about the appeal today: category (shipped classifier), kind, urgency, tier,
/// place, and the reply deadline in working days.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Demonstrations on real data (see scripts/demo).",
        subcommands: [Replay.self, DemoDeadlinesCommand.self])

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replay real messages and follow them through the services.")

        @Option(help: "CSV of raw messages (id,user,title,submitted_at,detail,…).")
        var input: String
        @Option(help: "How many messages to replay.")
        var count = 6
        @Option(help: "Seconds to wait for every service to record an appeal.")
        var timeout = 30.0
        @Option(help: "minhu-intake's base URL: submit through POST /v1/appeals.")
        var intakeUrl: String?
        @Option(help: "An agent's API key for --intake-url (default: MINHU_API_KEY, off the command line).")
        var apiKey: String?
        @Option(help: "Phones whose appeals come from these callers, in turn (e.g. a registered deputy's).")
        var callerPhones: [String] = []

        func validate() throws {
            guard count >= 1 else { throw ValidationError("--count must be at least 1 (got \(count))") }
            guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be positive (got \(timeout))") }
        }

        func run() async throws {
            let logger = CommandSupport.logger("minhu-demo")
            let url = try CommandSupport.brokerURL()
            let table = try CSVTable(contentsOf: URL(fileURLWithPath: input))
            guard let idColumn = table.index(of: "id"), let titleColumn = table.index(of: "title"),
                  let detailColumn = table.index(of: "detail") else {
                throw CommandFailure("\(input): needs the columns id, title and detail")
            }
            let step = max(1, table.rows.count / max(1, count))
            let rows = stride(from: 0, to: table.rows.count, by: step).prefix(count).map { table.rows[$0] }
            let classifier = try ShippedModel.loadClassifier()
            let rules = try AppealRules.loadShipped()
            let places = try PlaceRecognizer.loadShipped()
            let calendar = try WorkingCalendar.builtIn()
            let policies = try DeadlinePolicySet.builtIn()
            let consumers = MinhuTopology.eventBindings.filter { queue, keys in
                keys.contains("#") || keys.contains(EventType.appealReceived.rawValue)
            }.keys.sorted()
            let fromEnvironment = ProcessInfo.processInfo.environment["MINHU_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
            let apiKey = self.apiKey ?? fromEnvironment
            let (count, timeout, intakeUrl, callerPhones) = (self.count, self.timeout, self.intakeUrl,
                                                              self.callerPhones)
            if intakeUrl != nil && apiKey == nil {
                throw ValidationError("--intake-url needs --api-key or MINHU_API_KEY")
            }
            // Each run submits new appeals (a rerun is not a resend of the last run's).
            let run = String(Int(Date().timeIntervalSince1970))

            try await CommandSupport.withDatabase(try CommandSupport.databaseConfiguration(), logger: logger) { database in
                let publisher = AMQPPublisher(url: url, options: .init(connectionName: "minhu-demo"), logger: logger)
                let relay = OutboxRelay(database: database, publisher: publisher, producer: "minhu-demo", logger: logger)
                print("重放 \(rows.count) 条真实诉求 / replaying \(rows.count) real messages (of \(count) asked)\n")
                for (index, row) in rows.enumerated() {
                    let title = row[titleColumn], detail = row[detailColumn]
                    let now = Date()
                    let phone = index < callerPhones.count ? callerPhones[index] : "1380013\(String(format: "%04d", index))"
                    let messageID: UUID
                    let appealID: UUID
                    let channel: MinhuModels.Channel
                    if let intakeUrl, let apiKey {
                        let submitted = try await Self.submit(title: title, detail: detail, phone: phone,
                                                              externalId: "demo-\(run)-\(row[idColumn])", intakeUrl: intakeUrl,
                                                              apiKey: apiKey)
                        print("[\(index + 1)/\(rows.count)] \(submitted.caseNumber) 「\(title)」")
                        print("    \(Self.clock()) 已受理 received: POST /v1/appeals → \(submitted.status), case file committed"
                              + (submitted.fromDeputy ? " · 人大代表来电 deputy caller, channel deputy" : ""))
                        print("    查询链接 tracking: \(submitted.trackingURL)")
                        guard let id = try await Self.receivedEventID(appealId: submitted.appealId, database: database,
                                                                      logger: logger) else {
                            print("    appeal.received not found in the outbox")
                            continue
                        }
                        messageID = id
                        appealID = submitted.appealId
                        channel = submitted.fromDeputy ? .deputy : .hotline
                    } else {
                        let caseNumber = Self.caseNumber(now, index + 1)
                        let appeal = Appeal(caseNumber: caseNumber, channel: .web, externalId: "demo-\(row[idColumn])",
                                            title: title, body: detail, submittedAt: now, citizen: Citizen(phone: phone))
                        let event = AppealReceived(appeal: appeal, occurredAt: now)
                        let message = try MessageEnvelope.event(event, producer: "minhu-demo", at: now)
                        print("[\(index + 1)/\(rows.count)] \(caseNumber) 「\(title)」")
                        try await database.withTransaction { connection in
                            try await OutboxWriter.append([message], producer: "minhu-demo", on: connection, logger: logger)
                        }
                        print("    \(Self.clock()) 已受理 received: appeal.received in the outbox (citizen \(event.citizen.phone))")
                        let round = try await relay.flush()
                        print("    \(Self.clock()) 已发布 published: \(round.published) event(s) confirmed by the broker")
                        messageID = message.messageID
                        appealID = appeal.id
                        channel = appeal.channel
                    }

                    let classification = classifier.classify(title: title, detail: detail)
                    let assessment = rules.assess(title: title, detail: detail, category: classification.category,
                                                  channel: channel.rawValue)
                    let place = places.recognize(title + " " + detail)
                    let kind = AppealKind(rawValue: assessment.kind) ?? .complaint
                    let tier = HandlingTier(rawValue: assessment.tier) ?? .deadline
                    let urgency = Urgency(rawValue: assessment.urgency) ?? .normal
                    let policy = policies.policy(channel: channel, kind: kind, tier: tier, urgency: urgency)
                    let due = DeadlineCalculator.due(policy: policy, receivedAt: now, calendar: calendar,
                                                     officeHours: policies.officeHours)
                    print(String(format: "    本地规则 local rules: %@ (%.2f) · %@ · %@ · %@ · 地点 %@",
                                 classification.category, classification.confidence, kind.chineseName,
                                 urgency.chineseName, tier.chineseName, place.label ?? "未识别"))
                    print("    办理时限 reply due \(Self.local(due)) (policy \(policy.name))")

                    var seen = Set<String>()
                    let deadline = Date().addingTimeInterval(timeout)
                    while seen.count < consumers.count && Date() < deadline {
                        let recorded = try await Self.recorders(of: messageID, database: database, logger: logger)
                        for consumer in recorded.sorted() where !seen.contains(consumer) && consumers.contains(consumer) {
                            seen.insert(consumer)
                            print("    \(Self.clock()) 已送达 delivered: \(consumer)")
                        }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    let missing = consumers.filter { !seen.contains($0) }
                    if !missing.isEmpty { print("    未送达 not recorded within \(Int(timeout)) s: \(missing.joined(separator: ", "))") }
                    if consumers.contains("dispatcher.events") {
                        print("    " + (try await Self.dispatcherOutcome(of: appealID, timeout: timeout, database: database,
                                                                       logger: logger)))
                    }
                    print("")
                }
                await publisher.shutdown()
            }
        }

        struct Submitted {
            var status: Int
            var appealId: UUID
            var caseNumber: String
            var trackingURL: String
            var fromDeputy: Bool
        }

        /// POSTs one message to minhu-intake as an agent's console would.
        static func submit(title: String, detail: String, phone: String, externalId: String, intakeUrl: String,
                           apiKey: String) async throws -> Submitted {
            guard let url = URL(string: intakeUrl.hasSuffix("/") ? intakeUrl + "v1/appeals" : intakeUrl + "/v1/appeals") else {
                throw ValidationError("--intake-url: not a URL")
            }
            let body: [String: Any] = [
                "channel": "hotline", "external_id": externalId, "title": title.isEmpty ? String(detail.prefix(20)) : title,
                "body": detail.isEmpty ? title : detail, "submitted_at": MinhuJSON.formatDate(Date()),
                "citizen": ["phone": phone],
            ]
            var request = URLRequest(url: url)
            request.httpMethod = "POST"
            request.setValue("Bearer " + apiKey, forHTTPHeaderField: "Authorization")
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue(externalId, forHTTPHeaderField: "Idempotency-Key")
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard status == 200 || status == 201,
                  let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let id = (object["appeal_id"] as? String).flatMap(UUID.init(uuidString:)),
                  let caseNumber = object["case_number"] as? String else {
                throw CommandFailure("POST /v1/appeals answered \(status): \(String(decoding: data, as: UTF8.self))")
            }
            return Submitted(status: status, appealId: id, caseNumber: caseNumber,
                             trackingURL: object["tracking_url"] as? String ?? "",
                             fromDeputy: object["from_deputy"] as? Bool ?? false)
        }

        /// The message id of intake's `appeal.received` for `appealId` (from the outbox, the system's event log).
        static func receivedEventID(appealId: UUID, database: MinhuDatabase, logger: Logger) async throws -> UUID? {
            try await database.withConnection { connection in
                var found: UUID?
                for try await id in try await connection.guardedQuery("""
                    SELECT message_id FROM outbox WHERE type = 'appeal.received' AND correlation_id = \(appealId.uuidString)
                    """, logger: logger).decode(UUID.self) { found = id }
                return found
            }
        }

        /// What minhu-dispatcher concluded: its `appeal.classified` (from the outbox) or the manual desk.
        static func dispatcherOutcome(of appealID: UUID, timeout: TimeInterval, database: MinhuDatabase,
                                      logger: Logger) async throws -> String {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let found = try await database.withConnection { connection -> (String?, Double?) in
                    var body: String?
                    for try await text in try await connection.guardedQuery("""
                        SELECT body FROM outbox WHERE type = 'appeal.classified' AND correlation_id = \(appealID.uuidString)
                        ORDER BY id DESC LIMIT 1
                        """, logger: logger).decode(String.self) { body = text }
                    var desk: Double?
                    for try await confidence in try await connection.guardedQuery(
                        "SELECT confidence FROM desk_items WHERE appeal_id = \(appealID)", logger: logger
                    ).decode(Double.self) { desk = confidence }
                    return (body, desk)
                }
                if let body = found.0, let classified = try? MinhuJSON.decode(AppealClassified.self, from: Data(body.utf8)) {
                    let place = classified.place.isEmpty ? "未识别" : classified.place.displayName
                    let cluster = classified.clusterId.map { String($0.uuidString.prefix(8)) } ?? "无"
                    return "\(clock()) 智能分类 dispatcher: \(classified.category.displayName)"
                        + " (\(String(format: "%.2f", classified.confidence)))"
                        + " · \(classified.kind.chineseName) · \(classified.urgency.chineseName)"
                        + " · \(classified.tier.chineseName) · 地点 \(place) · 同源簇 \(cluster)"
                }
                if let confidence = found.1 {
                    return "\(clock()) 转人工派单 manual desk: classifier confidence "
                        + "\(String(format: "%.2f", confidence)) below the minimum"
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            return "minhu-dispatcher gave no classification within \(Int(timeout)) s"
        }

        static func recorders(of id: UUID, database: MinhuDatabase, logger: Logger) async throws -> [String] {
            try await database.withConnection { connection in
                var result: [String] = []
                for try await consumer in try await connection.guardedQuery(
                    "SELECT consumer FROM inbox WHERE message_id = \(id)", logger: logger).decode(String.self) {
                    result.append(consumer)
                }
                return result
            }
        }

        static func caseNumber(_ date: Date, _ sequence: Int) -> String {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyyMMdd"
            formatter.timeZone = WorkingCalendar.defaultTimeZone
            return "\(formatter.string(from: date))-D\(String(format: "%05d", sequence))"
        }

        static func local(_ date: Date) -> String {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            formatter.timeZone = WorkingCalendar.defaultTimeZone
            return formatter.string(from: date)
        }

        static func clock() -> String {
            let formatter = DateFormatter()
            formatter.dateFormat = "HH:mm:ss.SSS"
            return formatter.string(from: Date())
        }
    }
}
