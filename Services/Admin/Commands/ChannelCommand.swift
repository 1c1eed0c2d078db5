import ArgumentParser
import Dispatch
import Foundation
import Logging
import MinhuMessaging
import MinhuModels

/// `minhu channel run`: the reference channel adapter (docs/integrators.md, "The reference channel adapter").
///
/// It connects as the integrator (`integrator.<channel>`, with only the permissions DESIGN §3 gives an integrator),
/// publishes appeals on `minhu.intake` with routing key `<channel>.appeal` (from a JSON Lines file, or one per line
/// typed at the terminal), and at the same time reads `outbound.<channel>`, printing each acknowledgement, reply and
/// survey invitation and acking it.
struct ChannelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "channel", abstract: "The reference channel adapter (an integrator's side of AMQP intake).",
        subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish appeals as a channel's integrator and print what comes back on outbound.<channel>.",
            discussion: """
                With --file, publishes each line of the JSON Lines file (an intake.appeal body per line; a line \
                that does not decode is reported and skipped). Without it, each line typed becomes an appeal \
                (body = the line, title = its first 20 characters, phone = --phone). Exits on Ctrl-C; with --once, \
                after an acknowledgement has come back for every appeal published (exit 0) or after --timeout \
                seconds (exit 2).
                """)

        @Option(help: "The channel code, e.g. wechat.")
        var channel: String

        @Option(help: "A JSON Lines file of intake.appeal bodies to publish.")
        var file: String?

        @Option(name: .customLong("amqp-url"),
                help: "The integrator's broker URL (default MINHU_AMQP_URL), e.g. amqp://integrator.wechat:…@host/minhu.")
        var amqpURL: String?

        @Option(help: "The citizen's phone of appeals typed at the terminal (fictional by default).")
        var phone = "13800000000"

        @Flag(help: "Exit once every appeal published has been acknowledged.")
        var once = false

        @Option(help: "With --once: give up after this many seconds (exit 2).")
        var timeout = 30

        func validate() throws {
            guard MinhuModels.Channel(rawValue: channel) != nil else {
                throw ValidationError("--channel must be a channel code ([a-z0-9-]{1,32})")
            }
            guard Citizen.normalizePhone(phone) != nil else { throw ValidationError("--phone is not a phone number") }
            guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        }

        func run() async throws {
            let logger = CommandSupport.logger("minhu-channel")
            let channel = MinhuModels.Channel(rawValue: self.channel)!
            // MINHU_AMQP_URL, or --amqp-url; with MINHU_AMQP_PASSWORD_FILE's password when set, unless --amqp-url
            // holds a password of its own.
            let url: AMQPURL
            if let amqpURL, !amqpURL.isEmpty {
                url = try CommandSupport.brokerURL(option: "--amqp-url", amqpURL)
            } else {
                url = try CommandSupport.brokerURL()
            }
            if url.user != ChannelAdapter.expectedUser(channel) {
                note("warning: connecting as '\(url.user)', not '\(ChannelAdapter.expectedUser(channel))': the "
                     + "broker user should be the integrator's own")
            }

            var appeals: [IntakeAppeal] = []
            var skipped = 0
            if let file {
                guard let data = FileManager.default.contents(atPath: file),
                      let text = String(data: data, encoding: .utf8)
                else { throw CommandFailure("cannot read \(file) as UTF-8") }
                let read = ChannelAdapter.readAppeals(jsonLines: text)
                for problem in read.problems { note("\(file): skipped \(problem)") }
                skipped = read.problems.count
                appeals = read.appeals.map(\.appeal)
            }

            let adapter = ChannelAdapter(url: url, channel: channel, logger: logger)
            let (outcome, unpublished) = try await adapter.run(appeals: appeals, readTerminal: file == nil,
                                                               phone: phone, once: once,
                                                               timeout: .seconds(timeout)) { line in print(line) }
            switch outcome {
            case .finished, .interrupted:
                // A run that left appeals behind says so in its exit status (scripts check it).
                guard skipped + unpublished == 0 else {
                    throw CommandFailure("\(skipped) line(s) skipped and \(unpublished) appeal(s) not published")
                }
            case .timedOut:
                note("timed out after \(timeout) s waiting for acknowledgements")
                throw ExitCode(2)
            }
        }

        private func note(_ text: String) {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }
}

/// The adapter's logic: build and publish `intake.appeal` messages as the integrator, read and ack
/// `outbound.<channel>`, describe what arrives.
struct ChannelAdapter: Sendable {
    let url: AMQPURL
    let channel: MinhuModels.Channel
    let logger: Logger

    enum Outcome: Sendable, Equatable { case finished, interrupted, timedOut }

    /// The broker user an integrator of `channel` connects as.
    static func expectedUser(_ channel: MinhuModels.Channel) -> String { "integrator.\(channel.rawValue)" }

    /// The producer name (`app_id`).
    var appID: String { "minhu-channel-\(channel.rawValue)" }

    private enum Event: Sendable {
        case typed(String)
        case inputEnded
        case delivery(AMQPDelivery)
        case interrupted
        case timedOut
    }

    /// Runs until Ctrl-C, or with `once` until every appeal published has been acknowledged or `timeout` passed.
    /// `output` receives the lines to show.
    /// Publishes `appeals` (and lines typed on the terminal) and prints what arrives; returns how it ended and how
    /// many appeals the broker did not take (not routed, refused, or failed to publish).
    func run(appeals: [IntakeAppeal], readTerminal: Bool, phone: String, once: Bool, timeout: Duration,
             output: @escaping @Sendable (String) -> Void) async throws -> (outcome: Outcome, unpublished: Int) {
        let options = AMQPConnectionOptions(connectionName: appID)
        let publisher = AMQPPublisher(url: url, options: options, confirmWindow: 100, logger: logger)
        let queue = MinhuTopology.outboundQueue(channel.rawValue)
        let consumer = AMQPConsumer(url: url, queue: queue, prefetch: 50, options: options, logger: logger)
        let (events, sink) = AsyncStream.makeStream(of: Event.self)

        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupt.setEventHandler { sink.yield(.interrupted) }
        interrupt.resume()
        let forward = Task {
            for await delivery in consumer.deliveries { sink.yield(.delivery(delivery)) }
        }
        let timer = Task {
            guard once else { return }
            try await Task.sleep(for: timeout)
            sink.yield(.timedOut)
        }
        defer {
            interrupt.cancel()
            signal(SIGINT, SIG_DFL)
            forward.cancel()
            timer.cancel()
        }

        do { try await publisher.connect() } catch {
            await consumer.shutdown()
            await publisher.shutdown()
            throw CommandFailure("cannot connect to the broker as '\(url.user)': \(error)")
        }
        let clock = ContinuousClock()
        let waitUntil = clock.now + .seconds(5)
        while !consumer.isConnected, clock.now < waitUntil { try await Task.sleep(for: .milliseconds(50)) }
        if consumer.isConnected {
            output("reading \(queue) as \(url.user)")
        } else {
            output("warning: cannot read \(queue) yet (does the queue exist, may \(url.user) read it?); retrying")
        }

        var published = Set<String>()
        var unpublished = 0
        var acknowledged = Set<String>()
        var acknowledgedWithoutID = 0
        var inputDone = !readTerminal
        func allAcknowledged() -> Bool { acknowledged.count + acknowledgedWithoutID >= published.count }

        func publish(_ batch: [IntakeAppeal]) async {
            guard !batch.isEmpty else { return }
            do {
                let messages = try batch.map { try message(for: $0) }
                let outcomes = try await publisher.publish(messages)
                for (appeal, result) in zip(batch, outcomes) {
                    switch result {
                    case .confirmed:
                        published.insert(appeal.externalId)
                        output("→ published \(appeal.externalId): \(appeal.title)")
                    case .returned(let reason):
                        unpublished += 1
                        output("✗ not routed \(appeal.externalId): \(reason)")
                    case .nacked:
                        unpublished += 1
                        output("✗ refused by the broker \(appeal.externalId)")
                    }
                }
            } catch {
                unpublished += batch.count
                output("✗ publishing failed: \(error)")
            }
        }

        await publish(appeals)
        if readTerminal {
            output("type an appeal per line (Ctrl-D to end input, Ctrl-C to quit)")
            Thread {
                while let line = readLine() { sink.yield(.typed(line)) }
                sink.yield(.inputEnded)
            }.start()
        }

        var outcome = Outcome.interrupted
        if once, inputDone, allAcknowledged() {
            outcome = .finished
        } else {
            loop: for await event in events {
                switch event {
                case .typed(let line):
                    let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
                    guard !text.isEmpty else { continue }
                    await publish([Self.typedAppeal(text, phone: phone, at: Date())])
                case .inputEnded:
                    inputDone = true
                    if once, allAcknowledged() { outcome = .finished; break loop }
                case .delivery(let delivery):
                    output("← " + Self.describe(delivery))
                    await consumer.ack(delivery)
                    if delivery.properties.type == OutboundAcknowledgement.messageType {
                        let externalId = (try? MinhuJSON.decode(OutboundAcknowledgement.self, from: delivery.body))?
                            .externalId
                        if let externalId {
                            if published.contains(externalId) { acknowledged.insert(externalId) }
                        } else {
                            acknowledgedWithoutID += 1
                        }
                    }
                    if once, inputDone, allAcknowledged() { outcome = .finished; break loop }
                case .interrupted:
                    output("interrupted; stopping")
                    outcome = .interrupted
                    break loop
                case .timedOut:
                    outcome = .timedOut
                    break loop
                }
            }
        }
        await consumer.shutdown()
        await publisher.shutdown()
        return (outcome, unpublished)
    }

    /// The `intake.appeal` message for `appeal`: exchange `minhu.intake`, routing key `<channel>.appeal`, type
    /// `intake.appeal`, `user_id` the connection's user (the broker refuses any other), persistent.
    func message(for appeal: IntakeAppeal, at now: Date = Date()) throws -> OutgoingMessage {
        try MessageEnvelope.message(appeal, route: .intake(channel: channel, kind: .appeal), producer: appID,
                                    at: now, userID: url.user)
    }

    /// An appeal from a line typed at the terminal: the line is the body, its first 20 characters the title.
    static func typedAppeal(_ text: String, phone: String, at now: Date) -> IntakeAppeal {
        IntakeAppeal(externalId: "cli-" + UUID().uuidString.lowercased(), title: String(text.prefix(20)),
                     body: text, submittedAt: now, citizen: Citizen(phone: phone))
    }

    /// The appeals of a JSON Lines file, with their line numbers; blank lines are skipped, lines that do not decode
    /// are reported (`line N: reason`).
    static func readAppeals(jsonLines text: String) -> (appeals: [(line: Int, appeal: IntakeAppeal)], problems: [String]) {
        var appeals: [(line: Int, appeal: IntakeAppeal)] = []
        var problems: [String] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty else { continue }
            do {
                appeals.append((index + 1, try MinhuJSON.decode(IntakeAppeal.self, from: Data(line.utf8))))
            } catch {
                problems.append("line \(index + 1): \(MinhuJSON.describe(error))")
            }
        }
        return (appeals, problems)
    }

    /// A readable line for a message from `outbound.<channel>`, by its `type`; the raw JSON when it is not one
    /// the adapter knows or does not decode. Phones are never shown.
    static func describe(_ delivery: AMQPDelivery) -> String {
        let body = delivery.body
        let schemaVersion = delivery.properties.schemaVersion
        switch delivery.properties.type {
        case OutboundAcknowledgement.messageType:
            if let ack = try? MessageEnvelope.decode(OutboundAcknowledgement.self, from: body,
                                                     schemaVersion: schemaVersion) {
                // The text already carries the tracking link; print it only when a template left it out.
                let link = ack.text.contains(ack.trackingUrl.absoluteString) ? "" : " " + ack.trackingUrl.absoluteString
                return "acknowledgement \(ack.caseNumber) (\(ack.externalId ?? "-")): \(ack.text)" + link
            }
        case OutboundReply.messageType:
            if let reply = try? MessageEnvelope.decode(OutboundReply.self, from: body, schemaVersion: schemaVersion) {
                let department = reply.departmentName.map { " [\($0)]" } ?? ""
                return "reply (\(reply.kind.rawValue)) \(reply.caseNumber)\(department): \(reply.text) "
                    + reply.trackingUrl.absoluteString
            }
        case SurveyInvitation.messageType:
            if let survey = try? MessageEnvelope.decode(SurveyInvitation.self, from: body,
                                                        schemaVersion: schemaVersion) {
                let by = survey.answerBy.map { " (answer by \(MinhuJSON.formatDate($0)))" } ?? ""
                return "survey invitation \(survey.caseNumber) survey \(survey.surveyId.uuidString.lowercased())"
                    + "\(by): \(survey.text)"
            }
        default:
            break
        }
        return "\(delivery.properties.type ?? "untyped") message: " + maskedJSON(body)
    }

    /// The body as JSON text with every `phone` field masked, at any depth (`PhoneMaskedJSON`).
    static func maskedJSON(_ body: Data) -> String { PhoneMaskedJSON.text(of: body) }
}
