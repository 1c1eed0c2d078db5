import ArgumentParser
import Foundation
import MinhuMessaging
import MinhuModels

/// `minhu deadletters list|replay|drop`: the dead-letter queues (`dead.<queue>`) an operator works through after
/// a refusal or a crash loop (docs/operations.md, "Dead letters").
struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadletters", abstract: "List, replay or drop dead letters (the broker at MINHU_AMQP_URL).",
        subcommands: [List.self, Replay.self, Drop.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count the dead letters of every queue, or show those of one queue (they stay in it).")
        @Argument(help: "A working queue (deadlines.events) or its dead-letter queue; omitted: count them all.")
        var queue: String?
        @Option(help: "Dead letters to show, in queue order.")
        var limit = 20
        @Flag(help: "One JSON object per dead letter instead of the table.")
        var json = false
        @Flag(help: "Also print each body (it may hold a citizen's phone number).")
        var showBody = false
        @OptionGroup var topology: TopologyCommand.Options

        func validate() throws {
            if let queue { _ = try DeadLetterSelection.workingQueue(queue) }
            guard (1...Int(UInt16.max)).contains(limit) else { throw ValidationError("--limit must be 1-65535") }
        }

        func run() async throws {
            let url = try DeadLetterSelection.brokerURL()
            guard let queue else { return try await countAll(url: url) }
            let working = try DeadLetterSelection.workingQueue(queue)
            let dead = DeadLetterQueue(url: url, queue: working, logger: CommandSupport.logger("minhu-deadletters"))
            let total = try await DeadLetterSelection.brokerCall(dead.deadQueue) { try await dead.count() }
            let letters = try await DeadLetterSelection.brokerCall(dead.deadQueue) { try await dead.peek(limit: limit) }
            if json {
                for letter in letters { print(DeadLetterPrinter.json(letter, queue: working, body: showBody)) }
            } else {
                print("\(dead.deadQueue): \(total) dead letter\(total == 1 ? "" : "s")"
                      + (letters.count < total ? ", the first \(letters.count) shown" : ""))
                for (index, letter) in letters.enumerated() {
                    print(DeadLetterPrinter.row(letter, number: index + 1, body: showBody))
                }
            }
        }

        /// One line per dead-letter queue of the topology that holds any, then the total.
        private func countAll(url: AMQPURL) async throws {
            let queues = try await topology.topology().queues.map(\.name).filter { $0.hasPrefix("dead.") }
            let status = try await DeadLetterSelection.brokerCall("the dead-letter queues") {
                try await TopologyDeclarer.statusIfPresent(of: queues, url: url)
            }
            var total = 0
            for queue in queues {
                guard let found = status[queue] else { continue }
                guard let found else {
                    print("\(queue)\tmissing (run minhu topology declare)")
                    continue
                }
                total += found.messages
                if found.messages > 0 { print("\(queue)\t\(found.messages)") }
            }
            print("\(total) dead letter\(total == 1 ? "" : "s") in \(queues.count) dead-letter queues"
                  + (queues.contains { $0.hasPrefix("dead.dept.") } ? ""
                     : " (departments' dead.dept.* queues not counted: add --departments-from-database)"))
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send dead letters back to their queue (same message id), then remove them.",
            discussion: """
                Each copy goes to the queue through the default exchange and is confirmed by the broker before its \
                dead letter is acknowledged. Consumers skip a message id they have handled, so a second replay of \
                the same message has no second effect. Fix the cause first: a message refused again comes back to \
                the dead-letter queue.
                """)
        @OptionGroup var selection: DeadLetterSelection
        @Flag(help: """
            Keep the original sender's user_id (required for intake.channels, evaluation.feedback and \
            dispatcher.department; the broker user needs the impersonator tag).
            """)
        var keepSender = false

        func validate() throws { try selection.check() }

        func run() async throws {
            let dead = try selection.queue()
            let ids = selection.messageIDs
            let outcome = try await DeadLetterSelection.brokerCall(dead.deadQueue) {
                try await dead.replay(limit: selection.limit, keepSender: keepSender, selected: {
                    ids.isEmpty || ids.contains($0.messageID.lowercased())
                }, settled: DeadLetterSelection.printSettled(verb: "replayed to \(dead.queue)"))
            }
            try selection.report(outcome, verb: "replayed to \(dead.queue)", queue: dead)
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove dead letters for good (after reading them with list).")
        @OptionGroup var selection: DeadLetterSelection

        func validate() throws { try selection.check() }

        func run() async throws {
            let dead = try selection.queue()
            let ids = selection.messageIDs
            let outcome = try await DeadLetterSelection.brokerCall(dead.deadQueue) {
                try await dead.drop(limit: selection.limit, selected: {
                    ids.isEmpty || ids.contains($0.messageID.lowercased())
                }, settled: DeadLetterSelection.printSettled(verb: "dropped"))
            }
            try selection.report(outcome, verb: "dropped", queue: dead)
        }
    }
}
