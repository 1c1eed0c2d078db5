import ArgumentParser
import Foundation
import MinhuMessaging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// `minhu topology show|declare|permissions|users`: the whole AMQP topology, and its users' least-privilege
/// permissions, from its one definition.
struct TopologyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology", abstract: "Show or declare the AMQP topology, and its broker users.",
        subcommands: [Show.self, Declare.self, Permissions.self, Users.self])

    struct Options: ParsableArguments {
        @Option(help: "Department codes (comma-separated) whose dept.<code> queues to include.")
        var departments: String = ""
        @Option(help: "Channel codes (comma-separated) whose outbound.<channel> queues to include.")
        var channels: String = "hotline,wechat,mailbox,app,web,deputy,visit,open311"
        @Flag(help: "Also every active department of the departments table (at MINHU_DATABASE_URL).")
        var departmentsFromDatabase = false

        /// The topology of the departments given and, with `--departments-from-database`, those of the table.
        func topology() async throws -> Topology {
            var codes = Self.list(departments)
            if departmentsFromDatabase {
                let stored = try await Self.activeDepartments()
                if stored.isEmpty { throw CommandFailure("the departments table has no active department") }
                if let bad = stored.first(where: { !Department.isValidCode($0) }) {
                    throw CommandFailure("the departments table holds '\(bad)', not a department code")
                }
                codes += stored.filter { !codes.contains($0) }
            }
            return MinhuTopology.make(departments: codes, channels: Self.list(channels))
        }

        /// The codes of the active rows of `departments`, in order.
        static func activeDepartments() async throws -> [String] {
            let logger = CommandSupport.logger("minhu-topology")
            return try await CommandSupport.withDatabase(try CommandSupport.databaseConfiguration(),
                                                         logger: logger) { database in
                try await database.withConnection { connection in
                    var codes: [String] = []
                    for try await code in try await connection.guardedQuery(
                        "SELECT code FROM departments WHERE active ORDER BY code", logger: logger
                    ).decode(String.self) {
                        codes.append(code)
                    }
                    return codes
                }
            }
        }

        static func list(_ text: String) -> [String] {
            text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        /// Codes that no appeal could carry would make queues nothing routes to (and that stay on the broker).
        func validate() throws {
            if let bad = Self.list(departments).first(where: { !Department.isValidCode($0) }) {
                throw ValidationError("'\(bad)' is not a department code ([a-z0-9-], 1-64 characters)")
            }
            if let bad = Self.list(channels).first(where: { !Channel.isValidCode($0) }) {
                throw ValidationError("'\(bad)' is not a channel code ([a-z0-9-], 1-32 characters)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print exchanges, queues and bindings.")
        @OptionGroup var options: Options

        func run() async throws {
            let topology = try await options.topology()
            for exchange in topology.exchanges { print("exchange\t\(exchange.name)\t\(exchange.kind.rawValue)") }
            for queue in topology.queues {
                let bindings = queue.bindings.map { "\($0.exchange):\($0.routingKey)" }.joined(separator: " ")
                print("queue\t\(queue.name)\t\(bindings)")
            }
        }
    }

    struct Declare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Declare everything on the broker at MINHU_AMQP_URL.")
        @OptionGroup var options: Options

        func run() async throws {
            let url = try CommandSupport.brokerURL()
            let topology = try await options.topology()
            try await TopologyDeclarer.declare(topology, url: url)
            print("declared \(topology.exchanges.count) exchanges and \(topology.queues.count) queues on \(url)")
        }
    }

    struct Permissions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the rabbitmqctl commands that give each Minhu broker user exactly what it needs.",
            discussion: """
                One user per service (minhu-<service>), per department (dept-<code>) and per channel's integrator \
                (integrator.<channel>), and minhu-ops for minhu deadletters; derived from the topology, like \
                declare. Create the users first (rabbitmqctl add_user NAME, the password on standard input), then \
                run the output on the broker's host: minhu topology permissions … | sh
                """)
        @OptionGroup var options: Options
        @Option(help: "The vhost (the path of MINHU_AMQP_URL).")
        var vhost = "minhu"
        @Option(help: "Only these users (comma-separated names, e.g. minhu-intake,dept-housing).")
        var users = ""

        func run() async throws {
            let grants = BrokerPermissions.all(topology: try await options.topology())
            let wanted = Set(Options.list(users))
            if let unknown = wanted.subtracting(grants.map(\.user)).sorted().first {
                throw CommandFailure(
                    "'\(unknown)' is not a Minhu broker user of this topology (see the output without --users)")
            }
            print("# Least-privilege permissions in vhost \(vhost), from MinhuTopology (minhu topology permissions).")
            for grant in grants where wanted.isEmpty || wanted.contains(grant.user) {
                for line in grant.rabbitmqctl(vhost: vhost) { print(line) }
            }
        }
    }
}
