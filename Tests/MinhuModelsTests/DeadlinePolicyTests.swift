import Foundation
import Testing
@testable import MinhuModels

@Suite("Deadlines: policies as data")
struct DeadlinePolicyTests {
    func policies() throws -> DeadlinePolicySet { try DeadlinePolicySet.builtIn() }

    /// The error thrown while parsing `json`, or nil.
    func error(_ json: String) -> DeadlinePolicyError? {
        do { _ = try DeadlinePolicySet(json: Data(json.utf8), source: "local.json") } catch let error as DeadlinePolicyError {
            return error
        } catch { return nil }
        return nil
    }

    @Test("defaults", arguments: [
        // (channel, kind, tier, urgency, policy, limit)
        ("hotline", AppealKind.complaint, HandlingTier.deadline, Urgency.emergency, "emergency", DeadlineLimit.hours(2)),
        ("deputy", .help, .research, .emergency, "emergency", .hours(2)),
        ("wechat", .consultation, .immediate, .urgent, "urgent", .hours(24)),
        ("deputy", .complaint, .deadline, .urgent, "urgent", .hours(24)),
        ("deputy", .suggestion, .research, .normal, "deputy-research", .workingDays(10)),
        ("deputy", .complaint, .deadline, .normal, "deputy", .workingDays(5)),
        ("deputy", .consultation, .immediate, .normal, "deputy", .workingDays(5)),  // rule order: deputy first
        ("hotline", .consultation, .immediate, .normal, "immediate", .sameWorkingDay),
        ("open311", .report, .immediate, .normal, "immediate", .sameWorkingDay),
        ("hotline", .complaint, .deadline, .normal, "ordinary", .workingDays(5)),
        ("mailbox", .suggestion, .research, .normal, "ordinary", .workingDays(5)),
        ("open311", .report, .deadline, .normal, "ordinary", .workingDays(5)),
    ])
    func selection(channel: String, kind: AppealKind, tier: HandlingTier, urgency: Urgency, name: String,
                   limit: DeadlineLimit) throws {
        let policy = try policies().policy(channel: Channel(rawValue: channel)!, kind: kind, tier: tier,
                                           urgency: urgency)
        #expect(policy.name == name)
        #expect(policy.limit == limit)
    }

    @Test("rejection, sign-by, extension and warning defaults")
    func otherDefaults() throws {
        let set = try policies()
        #expect(set.rejection.name == "rejection")
        #expect(set.rejection.limit == .workingDays(2))
        #expect(set.signBy.limit == .workingDays(1))
        #expect(set.extensionRule == ExtensionRule(maxWorkingDays: 10, maxPerRound: 1))
        #expect(set.warningShares == [0.6, 0.8])
        #expect(set.policy(named: "ordinary")?.limit == .workingDays(5))
        #expect(set.policy(named: "nope") == nil)
    }

    @Test("the file format round-trips")
    func roundTrip() throws {
        let set = try policies()
        let again = try DeadlinePolicySet(json: set.jsonData())
        #expect(again == set)
    }

    @Test("a jurisdiction's own file: lists of values, its own order")
    func jurisdictionFile() throws {
        let json = """
            {
              "policies": [
                {"name": "fast", "limit": {"workingDays": 3}},
                {"name": "slow", "limit": {"workingDays": 15}},
                {"name": "return", "limit": {"workingDays": 1}},
                {"name": "sign", "limit": {"hours": 4}}
              ],
              "rules": [
                {"when": {"kind": ["consultation", "help"], "channel": ["hotline", "wechat"]}, "policy": "fast"},
                {"when": {"tier": "research"}, "policy": "slow"},
                {"when": {}, "policy": "fast"}
              ],
              "rejectionPolicy": "return",
              "signByPolicy": "sign"
            }
            """
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("policies-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let set = try DeadlinePolicySet.load(contentsOf: url)
        #expect(set.policy(channel: .wechat, kind: .help, tier: .research, urgency: .normal).name == "fast")
        #expect(set.policy(channel: .app, kind: .help, tier: .research, urgency: .normal).name == "slow")
        #expect(set.policy(channel: .app, kind: .complaint, tier: .deadline, urgency: .emergency).name == "fast")
        #expect(set.extensionRule == .standard)  // defaults when absent
        #expect(set.warningShares == [0.6, 0.8])
        #expect(set.signBy.limit == .hours(4))
        #expect(set.officeHours == .standard)  // 09:00–17:00 when absent
    }

    @Test("office hours: the jurisdiction's, in the file; due times fall at their close")
    func officeHours() throws {
        let rules = #""rules": [{"when": {}, "policy": "a"}]"#
        let json = #"{\#(Self.base), \#(rules), "officeHours": {"opens": "08:30", "closes": "17:30"}}"#
        let set = try DeadlinePolicySet(json: Data(json.utf8), source: "local.json")
        #expect(set.officeHours.description == "08:30–17:30")
        #expect(try DeadlinePolicySet(json: set.jsonData()) == set)
        // Monday 4 March 2024 10:00 + 5 working days: Monday 11 March at the close, 17:30.
        let calendar = try WorkingCalendar.builtIn()
        let monday = Date(timeIntervalSince1970: 1_709_517_600)
        let due = DeadlineCalculator.due(policy: try #require(set.policy(named: "a")), receivedAt: monday,
                                         calendar: calendar, officeHours: set.officeHours)
        #expect(due == monday.addingTimeInterval(7 * 86_400 + 7.5 * 3600))
        let backwards = #"{\#(Self.base), \#(rules), "officeHours": {"opens": "17:00", "closes": "09:00"}}"#
        let message = error(backwards)?.description ?? ""
        #expect(message.contains("officeHours"), "\(message)")
    }

    static let base = """
        "policies": [{"name": "a", "limit": {"workingDays": 5}}],
        "rejectionPolicy": "a", "signByPolicy": "a"
        """

    @Test("clear errors", arguments: [
        (#"{\#(base), "rules": [{"when": {}, "policy": "b"}]}"#, "local.json: rules[0]: unknown policy 'b'"),
        (#"{\#(base), "rules": [{"when": {"tier": "immediate"}, "policy": "a"}]}"#,
         "local.json: no catch-all rule (\"when\": {}): some appeals would have no policy"),
        (#"{\#(base), "rules": [{"when": {"tier": "fast"}, "policy": "a"}]}"#,
         "local.json: rules[0].when.tier: unknown tier 'fast' (expected immediate, deadline, research)"),
        (#"{\#(base), "rules": [{"when": {"teir": "research"}, "policy": "a"}]}"#,
         "local.json: rules[0].when.teir: unknown criterion 'teir' (expected channel, kind, tier or urgency)"),
        (#"{\#(base), "rules": [{"when": {"channel": "Hot Line"}, "policy": "a"}]}"#,
         "local.json: rules[0].when.channel: unknown channel 'Hot Line' (expected a code of [a-z0-9-]{1,32})"),
        (#"{\#(base), "rules": [{"when": {"urgency": []}, "policy": "a"}]}"#,
         "local.json: rules[0].when.urgency: empty list matches nothing"),
        (#"{\#(base), "rules": [{"policy": "a"}]}"#, "local.json: rules[0].when: missing"),
        (#"{"policies": [{"name": "a", "limit": {"workingDays": 0}}], "rules": [], "rejectionPolicy": "a", "signByPolicy": "a"}"#,
         "local.json: policies[0].limit.workingDays: workingDays must be at least 1, got 0"),
        // A number that used to load and then trap when a due time was computed.
        (#"{"policies": [{"name": "a", "limit": {"workingDays": 9223372036854775807}}], "rules": [{"when": {}, "policy": "a"}], "rejectionPolicy": "a", "signByPolicy": "a"}"#,
         "local.json: policies[0].limit.workingDays: workingDays must be 1 to 365, got 9223372036854775807"),
        (#"{"policies": [{"name": "a", "limit": {"hours": 8761}}], "rules": [{"when": {}, "policy": "a"}], "rejectionPolicy": "a", "signByPolicy": "a"}"#,
         "local.json: policies[0].limit.hours: hours must be 1 to 8760, got 8761"),
        // Misspelt keys used to be ignored, and the default taken in silence (09:00–17:00 for office_hours).
        (#"{\#(base), "rules": [{"when": {}, "policy": "a"}], "office_hours": {"opens": "08:30", "closes": "17:30"}}"#,
         "local.json: office_hours: unknown key 'office_hours' (expected policies, rules, rejectionPolicy, signByPolicy, extension, warningShares, officeHours)"),
        (#"{\#(base), "rules": [{"when": {}, "policy": "a"}], "officeHours": {"opens": "08:30", "close": "17:30"}}"#,
         "local.json: officeHours.close: unknown key 'close' (expected opens, closes)"),
        (#"{\#(base), "rules": [{"when": {}, "policy": "a"}], "extension": {"maxWorkingDays": 5, "maxPerRounds": 2}}"#,
         "local.json: extension.maxPerRounds: unknown key 'maxPerRounds' (expected maxWorkingDays, maxPerRound)"),
        (#"{\#(base), "rules": [{"when": {}, "policy": "a"}], "extension": {"maxWorkingDays": 400, "maxPerRound": 1}}"#,
         "local.json: extension: maxWorkingDays must be 1 to 365 and maxPerRound 0 to 100"),
        (#"{"policies": [{"name": "a", "limit": {"workingDays": 5}, "descripton": "x"}], "rules": [{"when": {}, "policy": "a"}], "rejectionPolicy": "a", "signByPolicy": "a"}"#,
         "local.json: policies[0].descripton: unknown key 'descripton' (expected name, limit, description)"),
        (#"{"policies": [{"name": "a", "limit": {"workingDays": 5, "workingdays": 3}}], "rules": [{"when": {}, "policy": "a"}], "rejectionPolicy": "a", "signByPolicy": "a"}"#,
         "local.json: policies[0].limit.workingdays: unknown key 'workingdays' (expected workingDays, hours, sameWorkingDay)"),
        (#"{\#(base), "rules": [{"when": {}, "policy": "a", "priority": 1}]}"#,
         "local.json: rules[0].priority: unknown key 'priority' (expected when, policy)"),
        (#"{"policies": [{"name": "a", "limit": {"workingDays": 1, "hours": 2}}], "rules": [], "rejectionPolicy": "a", "signByPolicy": "a"}"#,
         "local.json: policies[0].limit: a limit needs exactly one of workingDays, hours, sameWorkingDay"),
        (#"{"policies": [{"name": "a", "limit": {"workingDays": 1}}, {"name": "a", "limit": {"hours": 1}}], "rules": [{"when": {}, "policy": "a"}], "rejectionPolicy": "a", "signByPolicy": "a"}"#,
         "local.json: policies[1]: the name 'a' is used twice"),
        (#"{\#(base), "rules": [{"when": {}, "policy": "a"}], "warningShares": [0.8, 0.6]}"#,
         "local.json: warningShares must be ascending, each between 0 and 1 (exclusive)"),
        (#"{"policies": [{"name": "a", "limit": {"workingDays": 1}}], "rules": [{"when": {}, "policy": "a"}], "rejectionPolicy": "x", "signByPolicy": "a"}"#,
         "local.json: rejectionPolicy: unknown policy 'x'"),
    ])
    func errors(json: String, message: String) {
        #expect(error(json)?.description == message)
    }

    @Test("the caps apply to a file, not to the policy an older build stored")
    func capsOnlyForFiles() throws {
        let json = #"{"policies": [{"name": "a", "limit": {"workingDays": 400}}], "rules": [{"when": {}, "policy": "a"}], "rejectionPolicy": "a", "signByPolicy": "a"}"#
        #expect(error(json)?.description == "local.json: policies[0].limit.workingDays: workingDays must be 1 to 365, got 400")
        let stored = try DeadlinePolicySet(json: Data(json.utf8), source: "deadline_policies 'default'", capped: false)
        #expect(stored.policies.first?.limit == .workingDays(400))
    }

    @Test("invalid JSON is reported as such")
    func invalidJSON() {
        let message = error("{\"policies\": [")?.description ?? ""
        #expect(message.hasPrefix("local.json: not valid JSON"), "\(message)")
    }

    @Test("limits encode as one-key objects")
    func limitCoding() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(DeadlineLimit.workingDays(5)), as: UTF8.self) == #"{"workingDays":5}"#)
        #expect(String(decoding: try encoder.encode(DeadlineLimit.hours(2)), as: UTF8.self) == #"{"hours":2}"#)
        #expect(String(decoding: try encoder.encode(DeadlineLimit.sameWorkingDay), as: UTF8.self)
            == #"{"sameWorkingDay":true}"#)
        #expect(DeadlineLimit.workingDays(5).description == "5 working days")
        #expect(DeadlineLimit.hours(1).description == "1 hour")
        #expect(DeadlineLimit.sameWorkingDay.isWorkingTime)
        #expect(!DeadlineLimit.hours(2).isWorkingTime)
    }
}
