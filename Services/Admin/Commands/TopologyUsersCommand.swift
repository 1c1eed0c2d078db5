import ArgumentParser
import Foundation
import MinhuMessaging
import MinhuService

extension TopologyCommand {
    /// `minhu topology users --password-dir DIR`: creates the broker users of `minhu topology permissions`, or sets
    /// their passwords, and gives each exactly its permissions, through the management API.
    struct Users: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "users",
            abstract: "Create the broker users with their least-privilege permissions (management API).",
            discussion: """
                Each user's password is read from the file of its name in --password-dir (minhu-intake, \
                dept-housing, integrator.wechat, minhu-ops …; 12-256 printable ASCII characters, no spaces). \
                With --users, every user named needs its file; without it, the users whose files exist are \
                applied and the others listed as skipped. Every file is read and every user checked before \
                anything changes. A user that exists gets the new password; its tags are removed, except \
                impersonator on minhu-ops (which --ops-impersonator gives); a broker administrator is refused. \
                Topic permissions are set before the permissions, so a new user is never without its routing-key \
                limits. Run it again after adding departments or channels, or to change passwords. The management \
                API and an administrator's credentials come from MINHU_AMQP_MANAGEMENT_URL \
                (http(s)://user:password@host:port), else from MINHU_AMQP_URL's host (http, port 15672) and \
                credentials: never from the command line, where other users of the host could read them.
                """)

        @OptionGroup var options: Options
        @Option(help: "The vhost (the path of MINHU_AMQP_URL).")
        var vhost = "minhu"
        @Option(help: "Only these users (comma-separated names, e.g. minhu-intake,dept-housing).")
        var users = ""
        @Option(help: "A folder holding one password file per user, named after the user.")
        var passwordDir: String
        @Flag(help: "Give minhu-ops the impersonator tag (minhu deadletters replay --keep-sender needs it).")
        var opsImpersonator = false

        func run() async throws {
            let grants = BrokerPermissions.all(topology: try await options.topology())
            let named = Options.list(users)
            if let unknown = Set(named).subtracting(grants.map(\.user)).sorted().first {
                throw CommandFailure(
                    "'\(unknown)' is not a Minhu broker user of this topology (see minhu topology permissions)")
            }
            let selected = named.isEmpty ? grants : grants.filter { named.contains($0.user) }
            let (passwords, skipped) = try readPasswords(for: selected.map(\.user), required: !named.isEmpty)
            let applied = selected.filter { passwords[$0.user] != nil }
            if applied.isEmpty {
                throw CommandFailure("no password file in \(passwordDir) for any user of this topology "
                                     + "(files are named after the users: minhu-intake, integrator.wechat …)")
            }
            if opsImpersonator, !applied.contains(where: { $0.user == BrokerPermissions.operationsUser }) {
                throw CommandFailure("--ops-impersonator: no password file for \(BrokerPermissions.operationsUser) "
                                     + "in \(passwordDir) (or it is not among --users); nothing was changed")
            }
            let client = try managementClient()
            guard try await client.getWhenUp(["vhosts", vhost], within: .seconds(60)) != nil else {
                throw CommandFailure("vhost '\(vhost)' does not exist on the broker (rabbitmqctl add_vhost \(vhost))")
            }
            var plans: [String: TagPlan] = [:]
            for grant in applied {
                let existing = try await Self.tags(of: grant.user, client: client)
                if existing?.contains("administrator") == true {
                    throw CommandFailure("'\(grant.user)' is a broker administrator; nothing was changed")
                }
                let impersonator = opsImpersonator && grant.user == BrokerPermissions.operationsUser
                plans[grant.user] = TagPlan(user: grant.user, existing: existing, impersonator: impersonator)
            }
            for grant in applied {
                guard let plan = plans[grant.user], let password = passwords[grant.user] else { continue }
                try await apply(grant, password: password, plan: plan, client: client)
            }
            if !skipped.isEmpty {
                print("skipped (no password file): \(skipped.joined(separator: ", "))")
            }
        }

        /// The passwords of `names` found in the folder, and the names without a file (an error when `required`).
        private func readPasswords(for names: [String], required: Bool) throws -> ([String: String], [String]) {
            var passwords: [String: String] = [:]
            var missing: [String] = []
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: passwordDir, isDirectory: &isFolder), isFolder.boolValue else {
                throw CommandFailure("--password-dir \(passwordDir) is not a folder")
            }
            for name in names {
                let path = (passwordDir as NSString).appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: path) else {
                    missing.append(name)
                    continue
                }
                do { passwords[name] = try SecretFile.read(path) } catch let refusal as SecretFile.Refusal {
                    throw CommandFailure("\(refusal); nothing was changed")
                }
            }
            if required, !missing.isEmpty {
                throw CommandFailure("no password file for \(missing.joined(separator: ", ")) in \(passwordDir); "
                                     + "nothing was changed")
            }
            return (passwords, missing)
        }

        private func managementClient() throws -> RabbitManagementClient {
            let environment = ProcessInfo.processInfo.environment
            if let text = environment["MINHU_AMQP_MANAGEMENT_URL"], !text.isEmpty {
                return try RabbitManagementClient(url: text)
            }
            let amqp: AMQPURL
            do { amqp = try CommandSupport.brokerURL() } catch {
                throw CommandFailure("set MINHU_AMQP_MANAGEMENT_URL (or MINHU_AMQP_URL) to an administrator's "
                                     + "(\(error))")
            }
            return try RabbitManagementClient.derived(from: amqp)
        }

        /// The user's tags, nil when it does not exist (3.10 answers a list; older brokers a comma-separated text).
        static func tags(of user: String, client: RabbitManagementClient) async throws -> [String]? {
            guard let data = try await client.get(["users", user]) else { return nil }
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            if let list = object?["tags"] as? [String] { return list.filter { !$0.isEmpty } }
            let text = object?["tags"] as? String ?? ""
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        private func apply(_ grant: BrokerPermissions.Grant, password: String, plan: TagPlan,
                           client: RabbitManagementClient) async throws {
            let existed = plan.existing != nil
            try await client.put(["users", grant.user],
                                 ["password": password, "tags": plan.tags.joined(separator: ",")])
            for topic in grant.topics {
                try await client.put(["topic-permissions", vhost, grant.user],
                                     ["exchange": topic.exchange, "write": topic.write, "read": topic.read])
            }
            try await client.put(["permissions", vhost, grant.user],
                                 ["configure": grant.configure, "write": grant.write, "read": grant.read])
            let topics = grant.topics.isEmpty ? "" : ", \(grant.topics.count) topic permission(s)"
            let kept = plan.tags.isEmpty ? "" : ", tags: \(plan.tags.joined(separator: ","))"
            let removed = plan.removed.isEmpty ? "" : ", tags removed: \(plan.removed.joined(separator: ","))"
            print("\(grant.user): \(existed ? "updated" : "created"), password set, permissions in \(vhost)\(topics)"
                  + kept + removed)
        }
    }
}

/// The tags a Minhu broker user ends with: none, except `impersonator` on `minhu-ops` when it had it or is given
/// it. Any other tag (management, monitoring, policymaker …) would give a service, a department or an integrator
/// more than its permissions (a policymaker sets policies that redirect other queues' messages).
struct TagPlan: Sendable {
    let existing: [String]?
    let tags: [String]
    let removed: [String]

    init(user: String, existing: [String]?, impersonator: Bool) {
        self.existing = existing
        let allowed: Set<String> = user == BrokerPermissions.operationsUser ? ["impersonator"] : []
        var tags = (existing ?? []).filter(allowed.contains)
        if impersonator, !tags.contains("impersonator") { tags.append("impersonator") }
        self.tags = tags
        self.removed = (existing ?? []).filter { !allowed.contains($0) }
    }
}
