import ArgumentParser
import Foundation
import MinhuModels
import MinhuService
import MinhuStorage
import PostgresNIO

/// `minhu deadlines policy show|set`: the jurisdiction's deadline policy in force (`deadline_policies`, row
/// `default`: limits, rules, extension rule, warning shares, office hours).
struct DeadlinePolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Show or replace the deadline policy in force (row 'default').",
        subcommands: [Show.self, Replace.self])

    /// `minhu deadlines policy show`: prints the document in force, in the file format.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the policy in force as a policy file (the built-in one when the table has none).",
            discussion: "Needs MINHU_DATABASE_URL.")

        func run() async throws {
            let logger = CommandSupport.logger("minhu-deadlines-policy")
            let policies = try await CommandSupport.withDatabase(try CommandSupport.databaseConfiguration(),
                                                                 logger: logger) { database in
                try await database.withConnection { connection in
                    try await DeadlineContext.policiesInForce(on: connection, logger: logger)
                }
            }
            print(String(decoding: try policies.jsonData(), as: UTF8.self))
        }
    }

    /// `minhu deadlines policy set FILE`: checks a policy file and stores it as the policy in force.
    struct Replace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Check a policy file (docs/deadlines.md) and store it as the policy in force.",
            discussion: """
                A file that does not load is refused with the place and the reason, and nothing is changed. \
                Needs MINHU_DATABASE_URL of the migration role (the services may only read the policy). Restart \
                minhu-deadlines afterwards: it reads the policy once, at its first event.
                """)

        @Argument(help: "The policy file (JSON).") var file: String
        @Option(help: "A description stored with it.") var description = "本地时限规则"

        func run() async throws {
            let logger = CommandSupport.logger("minhu-deadlines-policy")
            let policies: DeadlinePolicySet
            do {
                policies = try DeadlinePolicySet.load(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw CommandFailure("\(error)")
            }
            let document = String(decoding: try policies.jsonData(), as: UTF8.self)
            let description = self.description
            try await CommandSupport.withDatabase(try CommandSupport.databaseConfiguration(),
                                                  logger: logger) { database in
                try await database.withConnection { connection in
                    _ = try await connection.guardedQuery("""
                        INSERT INTO deadline_policies (name, description, document, updated_at)
                        VALUES ('default', \(description), \(document)::jsonb, now())
                        ON CONFLICT (name) DO UPDATE
                        SET description = EXCLUDED.description, document = EXCLUDED.document, updated_at = now()
                        """, logger: logger)
                }
            }
            print("stored \(policies.policies.count) policies and \(policies.rules.count) rules as 'default' "
                  + "(office hours \(policies.officeHours)); restart minhu-deadlines to apply them")
        }
    }
}
