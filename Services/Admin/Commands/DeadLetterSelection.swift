import ArgumentParser
import Foundation
import MinhuMessaging

/// Which dead letters `minhu deadletters replay|drop` acts on (one queue; given message ids, or all), and how the
/// result is reported.
struct DeadLetterSelection: ParsableArguments {
    @Argument(help: "A working queue (deadlines.events) or its dead-letter queue (dead.deadlines.events).")
    var queueName: String
    @Option(name: .customLong("id"), help: "A dead letter's message id (repeat the option for several).")
    var ids: [String] = []
    @Flag(help: "Every dead letter of the queue (up to --limit).")
    var all = false
    @Option(help: "Dead letters read from the queue, in queue order (the ids are looked for among them).")
    var limit = 1000

    /// The ids asked for, lower-cased (Minhu writes message ids in lower case); empty with `--all`.
    var messageIDs: Set<String> { Set(ids.map { $0.lowercased() }) }

    func check() throws {
        _ = try Self.workingQueue(queueName)
        guard ids.isEmpty != !all else { throw ValidationError("give the dead letters' --id, or --all") }
        guard (1...Int(UInt16.max)).contains(limit) else { throw ValidationError("--limit must be 1-65535") }
    }

    func queue() throws -> DeadLetterQueue {
        DeadLetterQueue(url: try Self.brokerURL(), queue: try Self.workingQueue(queueName),
                        logger: CommandSupport.logger("minhu-deadletters"))
    }

    /// Prints what was done and what was not; fails (exit 1) when a dead letter asked for was not acted on.
    /// Prints each dead letter as it is settled, unbuffered: a run stopped half-way (Ctrl-C, a lost terminal) has
    /// said which ones it replayed or dropped.
    static func printSettled(verb: String) -> @Sendable (DeadLetter) -> Void {
        { letter in
            let type = letter.delivery.properties.type ?? "-"
            let line = "\(verb)\t\(DeadLetterPrinter.oneLine(letter.messageID))\t\(DeadLetterPrinter.oneLine(type))\n"
            // (A write that fails is seen at the end, when the summary cannot be written either.)
            try? FileHandle.standardOutput.write(contentsOf: Data(line.utf8))
        }
    }

    /// The summary after a replay or drop whose settled letters `printSettled` printed.
    func report(_ outcome: DeadLetterQueue.Outcome, verb: String, queue: DeadLetterQueue) throws {
        for (letter, reason) in outcome.refused {
            print("left\t\(DeadLetterPrinter.oneLine(letter.messageID))\t\(DeadLetterPrinter.oneLine(reason))")
        }
        let seen = Set(outcome.taken.map { $0.messageID.lowercased() })
        let missing = messageIDs.subtracting(seen).sorted()
        for id in missing { print("not found\t\(id)") }
        print("\(outcome.settled.count) \(verb), \(outcome.refused.count) left in \(queue.deadQueue)"
              + (missing.isEmpty ? "" : ", \(missing.count) not found among the \(outcome.taken.count) read"))
        if outcome.connectionLost {
            throw CommandFailure("""
                the connection to the broker was lost: the command stopped at the dead letter marked "left" above, \
                which is still in \(queue.deadQueue) (list it before going on)
                """)
        }
        if !outcome.refused.isEmpty || !missing.isEmpty {
            throw CommandFailure("not every dead letter asked for was \(verb.split(separator: " ")[0])")
        }
    }

    /// `MINHU_AMQP_URL`, parsed (with `MINHU_AMQP_PASSWORD_FILE`'s password when set).
    static func brokerURL() throws -> AMQPURL { try CommandSupport.brokerURL() }

    /// The working queue of `name` (`dead.` stripped); refuses what cannot be a queue name.
    static func workingQueue(_ name: String) throws -> String {
        let working = name.hasPrefix("dead.") ? String(name.dropFirst(5)) : name
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-_")
        guard !working.isEmpty, working.count <= 200, working.allSatisfy({ allowed.contains($0) }),
              !working.hasPrefix("dead.") else {
            throw ValidationError(
                "'\(name)' is not a Minhu queue name (e.g. deadlines.events or dead.deadlines.events)")
        }
        return working
    }

    /// Runs a broker call, turning its error into a failure that names `what`.
    static func brokerCall<T: Sendable>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch AMQPError.brokerRefused(let code, _) where code == 404 {
            throw CommandFailure("\(what) does not exist on the broker (check the name; minhu topology declare creates "
                                 + "Minhu's queues)")
        } catch let error as AMQPError {
            throw CommandFailure("\(what): \(error)")
        }
    }
}
