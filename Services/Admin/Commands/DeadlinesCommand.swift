import ArgumentParser
import Foundation
import MinhuModels
import MinhuService

/// `minhu deadlines`: the deadlines service's operations.
struct DeadlinesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadlines", abstract: "Deadlines: decide extension requests (延期审批); the policy in force.",
        subcommands: [Decide.self, DeadlinePolicyCommand.self])

    /// `minhu deadlines decide 2024-000123 --approve --days 5 --reason … --by 张三`.
    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decide",
            abstract: "Approve or deny the pending extension request of a case.",
            discussion: """
                An approval moves the reply-by due time by the granted working days (what the department asked \
                for, or --days N, or --until YYYY-MM-DD) and emits deadline.changed and an extension decision to \
                the department through the outbox; a denial (which needs --reason) emits both too, the \
                deadline.changed with approved false and the due times unchanged. Needs \
                MINHU_DATABASE_URL (a role that may write deadline_clocks, e.g. minhu_deadlines).
                """)

        @Argument(help: "The case number (or the appeal's UUID).") var caseNumber: String
        @Flag(help: "Grant the extension.") var approve = false
        @Flag(help: "Refuse the extension.") var deny = false
        @Option(help: ArgumentHelp("Extend until the close of office of this day.", valueName: "YYYY-MM-DD"))
        var until: String?
        @Option(help: "Working days to grant (default: what was asked).") var days: Int?
        @Option(help: "Why (required for a denial).") var reason: String?
        @Option(help: "Who decides (default: $USER).") var by: String?

        func validate() throws {
            guard approve != deny else { throw ValidationError("give exactly one of --approve and --deny") }
            if until != nil && days != nil { throw ValidationError("give --until or --days, not both") }
            if deny && (until != nil || days != nil) { throw ValidationError("--until and --days go with --approve") }
            if deny && (reason ?? "").isEmpty { throw ValidationError("--deny needs --reason") }
            if let until { _ = try CalendarCommand.parseDate(until, option: "--until") }
            if let days, days < 1 { throw ValidationError("--days must be at least 1") }
        }

        func run() async throws {
            let logger = CommandSupport.logger("minhu-deadlines-decide")
            let configuration = try CommandSupport.databaseConfiguration()
            let grant: ExtensionDecider.Grant
            if let until { grant = .until(try CalendarCommand.parseDate(until, option: "--until")) } else if let days {
                grant = .workingDays(days)
            } else {
                grant = .requested
            }
            let target: ExtensionDecider.Target = UUID(uuidString: caseNumber).map { .appealID($0) }
                ?? .caseNumber(caseNumber)
            let decidedBy = by ?? ProcessInfo.processInfo.environment["USER"] ?? "cli"
            let (approve, reason) = (self.approve, self.reason)
            let timeZone = try CommandSupport.timeZone()
            do {
                let outcome = try await CommandSupport.withDatabase(configuration, logger: logger) { database in
                    let decider = ExtensionDecider(contexts: DeadlineContextProvider(loadingWith: timeZone),
                                                   clock: SystemClock())
                    return try await decider.decide(target, approve: approve, grant: grant, reason: reason,
                                                    decidedBy: decidedBy, database: database, logger: logger)
                }
                let formatter = ISO8601DateFormatter()
                formatter.timeZone = timeZone
                print("\(outcome.caseNumber)\t\(outcome.approved ? "approved" : "denied")\t"
                      + "\(outcome.grantedWorkingDays) working days\treply-by \(formatter.string(from: outcome.replyBy))")
            } catch let refusal as ExtensionDecider.Refusal {
                throw CommandFailure(refusal.field.map { "\($0): \(refusal.reason)" } ?? refusal.reason)
            }
        }
    }
}
