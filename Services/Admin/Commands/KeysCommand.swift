import ArgumentParser
import Foundation
import Logging
import MinhuService
import MinhuStorage

/// `minhu keys`: the API keys of the services' HTTP APIs (docs/operations.md, "API keys and roles"). Reads
/// `MINHU_DATABASE_URL`, which must be the migration role (the only one that may write `api_keys`).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, revoke and list API keys.",
        subcommands: [Create.self, Revoke.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key and print it once.",
            discussion: "Roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")). "
                + "--channel alone implies role integrator; role department needs --dept.")

        @Option(help: "Who or what holds the key (shown in listings and as decided_by).")
        var name: String

        @Option(help: "The key's role.")
        var role: String?

        @Option(help: "The integrator's channel (role integrator).")
        var channel: String?

        @Option(name: .customLong("dept"), help: "The department code (role department).")
        var department: String?

        func validate() throws {
            _ = try resolvedRole()
        }

        func resolvedRole() throws -> Role {
            let resolved: Role
            if let role {
                guard let parsed = Role(rawValue: role) else {
                    throw ValidationError("unknown role '\(role)'; one of: "
                                          + Role.allCases.map(\.rawValue).joined(separator: ", "))
                }
                resolved = parsed
            } else if channel != nil {
                resolved = .integrator
            } else {
                throw ValidationError("--role is required (or --channel C alone for an integrator)")
            }
            do {
                try ApiKeyAdmin.validate(role: resolved, channel: channel, department: department)
            } catch let refusal as ApiKeyAdmin.Refusal {
                throw ValidationError(refusal.description)
            }
            if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty") }
            return resolved
        }

        func run() async throws {
            let logger = CommandSupport.logger("minhu-keys")
            let configuration = try CommandSupport.databaseConfiguration()
            let role = try resolvedRole()
            let (name, channel, department) = (self.name, self.channel, self.department)
            let created = try await CommandSupport.withDatabase(configuration, logger: logger) { database in
                try await ApiKeyAdmin.create(name: name, role: role, channel: channel, department: department,
                                             database: database, logger: logger)
            }
            var scope = ""
            if let channel = created.principal.channel { scope = " channel=\(channel)" }
            if let department = created.principal.department { scope = " dept=\(department)" }
            FileHandle.standardError.write(Data("""
                created key \(created.principal.keyId.uuidString.lowercased()) for \(created.principal.name) \
                (role \(role.rawValue), \(role.chineseName)\(scope)).
                The key below is shown this once and cannot be shown again: only its hash is stored.

                """.utf8))
            do {
                try FileHandle.standardOutput.write(contentsOf: Data((created.key + "\n").utf8))
            } catch {
                // Nobody has the key (a full disk, a closed pipe): revoke it rather than leave it live.
                let id = created.principal.keyId.uuidString
                _ = try await CommandSupport.withDatabase(configuration, logger: logger) { database in
                    try await ApiKeyAdmin.revoke(id, database: database, logger: logger)
                }
                throw CommandFailure("cannot write the key to the output (\(error.localizedDescription)); "
                                     + "key \(id.lowercased()) was revoked, nobody has it: run the command again")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an API key by id or key prefix (services stop accepting it within 30 s).")

        @Argument(help: "The key's id, or the start of its prefix as `minhu keys list` shows it.")
        var idOrPrefix: String

        func run() async throws {
            let logger = CommandSupport.logger("minhu-keys")
            let configuration = try CommandSupport.databaseConfiguration()
            let needle = idOrPrefix
            // A refusal (unknown, ambiguous, already revoked) prints as "Error: …" and exits non-zero.
            let id = try await CommandSupport.withDatabase(configuration, logger: logger) { database in
                try await ApiKeyAdmin.revoke(needle, database: database, logger: logger)
            }
            print("revoked \(id.uuidString.lowercased())")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API keys (never the keys themselves).")

        func run() async throws {
            let logger = CommandSupport.logger("minhu-keys")
            let configuration = try CommandSupport.databaseConfiguration()
            let keys = try await CommandSupport.withDatabase(configuration, logger: logger) { database in
                try await ApiKeyAdmin.list(database: database, logger: logger)
            }
            let format = ISO8601DateFormatter()
            print(["id", "prefix", "name", "role", "channel/dept", "created", "revoked"].joined(separator: "\t"))
            for key in keys {
                print([key.id.uuidString.lowercased(), key.prefix, key.name, key.role,
                       key.channel ?? key.department ?? "-", format.string(from: key.createdAt),
                       key.revokedAt.map { format.string(from: $0) } ?? "-"].joined(separator: "\t"))
            }
        }
    }
}
