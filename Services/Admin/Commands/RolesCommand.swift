import ArgumentParser
import Foundation
import Logging
import MinhuService
import MinhuStorage

/// `minhu roles login`: a deployment's login user for one service's database role, as the migration role
/// (docs/operations.md, "Database roles").
struct RolesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roles", abstract: "Manage the database login users of the services.",
        subcommands: [Login.self])

    /// `minhu roles login --service S --user NAME --password-file FILE`.
    struct Login: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a service's login user, or set its password (as the migration role).",
            discussion: """
                The user logs in with the password of --password-file and holds the service's role (minhu_<service>) \
                and nothing else. Run it again to change the password. The password is sent as its SCRAM-SHA-256 \
                verifier, never in clear, and an expiry is lifted. A role that could do more than the service's work \
                (a superuser, CREATEROLE, CREATEDB, REPLICATION, BYPASSRLS; one that owns objects or holds \
                privileges of its own in any database; a member of another role, or one that may grant the service \
                role; one with members) is refused and not changed. \
                Services: \(ServiceRole.allCases.map(\.rawValue).joined(separator: ", ")).
                """)

        @Option(help: "The service whose role the user gets (intake, dispatcher, …).")
        var service: String

        @Option(help: "The login user's name (e.g. intake_app).")
        var user: String

        @Option(help: "A file holding the password (12-256 printable ASCII characters, no spaces).")
        var passwordFile: String

        func validate() throws {
            guard ServiceRole(rawValue: service) != nil else {
                throw ValidationError("unknown service '\(service)'; one of: "
                                      + ServiceRole.allCases.map(\.rawValue).joined(separator: ", "))
            }
            if let refusal = LoginRole.refusal(ofName: user) { throw ValidationError(refusal.description) }
        }

        func run() async throws {
            guard let role = ServiceRole(rawValue: service) else { throw ExitCode.validationFailure }
            let password: String
            do { password = try SecretFile.read(passwordFile) } catch let refusal as SecretFile.Refusal {
                throw CommandFailure("--password-file \(refusal)")
            }
            let verifier = ScramVerifier.make(password: password)
            let logger = CommandSupport.logger("minhu-roles")
            let configuration = try CommandSupport.databaseConfiguration()
            let name = user
            let outcome = try await CommandSupport.withDatabase(configuration, logger: logger) { database in
                try await database.withConnection { connection in
                    try await LoginRole.apply(name: name, service: role, verifier: verifier, on: connection,
                                              logger: logger)
                }
            }
            switch outcome {
            case .created: print("created login user \(name) in role \(role.roleName)")
            case .updated: print("set the password of login user \(name) (role \(role.roleName))")
            }
        }
    }
}
