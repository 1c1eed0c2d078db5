import Foundation
import Logging
import MinhuModels
import MinhuService
import MinhuStorage
import PostgresNIO

/// The scenes of `minhu demo deadlines`: dispatches appeals, plays the departments' and citizens' part in simulated
/// time, and prints what minhu-deadlines emits.
struct DemoDeadlinePlay: Sendable {
    /// The outbox producer of what the demo publishes in place of services not built yet.
    static let producer = "minhu-demo"

    /// An appeal to dispatch, with what the dispatcher concluded about it.
    struct Appeal: Sendable {
        var id: UUID
        var caseNumber: String
        var channel: MinhuModels.Channel
        var arrivalChannel: MinhuModels.Channel
        var classified: AppealClassified?
    }

    /// What happens to one appeal after its dispatch.
    enum Scene: Int, CaseIterable {
        case onTime, silent, paused

        var chineseName: String {
            switch self {
            case .onTime: "按时办结"
            case .silent: "未签收"
            case .paused: "待补充"
            }
        }
    }

    /// One scheduled step: an event published at a simulated instant.
    struct Step: Sendable {
        var at: Date
        var caseNumber: String
        var label: String
        var event: any EventPayload
    }

    let clock: any MinhuClock
    /// Simulated seconds per real second.
    let speed: Double
    let context: DeadlineContext
    let database: MinhuDatabase
    let relay: OutboxRelay
    let logger: Logger

    /// The stand-in routing: the department of a level-1 category (the jurisdiction's routing table comes with the
    /// dispatcher's part 2).
    static let departmentByCategory = [
        "城乡建设": "housing", "环境保护": "eco-env", "交通运输": "transport", "教育文体": "education",
        "劳动和社会保障": "hrss", "卫生计生": "health", "商贸旅游": "commerce",
    ]

    func run(_ appeals: [Appeal], timeout: TimeInterval) async throws {
        let names = try await departmentNames()
        let start = try await officeOpening(timeout: timeout)
        print("模拟时钟 simulated clock: \(Self.format(start, context.timeZone, full: true)), "
              + "\(Self.speedText(speed)) (minhu-deadlines runs on it)\n")
        var steps: [Step] = []
        var silent: [UUID] = []
        for (index, appeal) in appeals.enumerated() {
            let scene = Scene(rawValue: index % Scene.allCases.count)!
            let dispatched = dispatch(appeal, at: start, scene: scene)
            let department = names[dispatched.departmentCode] ?? dispatched.departmentCode
            print("\(appeal.caseNumber) 【\(scene.chineseName)】 → \(department) · 政策 \(dispatched.policy)")
            print("    签收时限 sign by \(Self.format(dispatched.signBy, context.timeZone)) · "
                  + "办理时限 reply by \(Self.format(dispatched.replyBy, context.timeZone))")
            try await publish([dispatched], at: start)
            steps += Self.steps(scene, after: dispatched, channel: appeal.arrivalChannel)
            if scene == .silent { silent.append(appeal.id) }
        }
        print("")
        steps.sort { $0.at < $1.at }
        let ids = appeals.map(\.id.uuidString)
        // Outbox ids become visible out of order (DESIGN §4): remember what was printed rather than the last id.
        var printed = Set<Int64>()
        var overdueSeen = Set<UUID>()
        let realDeadline = Date().addingTimeInterval(timeout)
        while Date() < realDeadline {
            let now = clock.now()
            while let step = steps.first, step.at <= now {
                steps.removeFirst()
                try await publish([step.event], at: step.at)
                print("[\(Self.format(step.at, context.timeZone))] \(step.caseNumber) \(step.label)")
            }
            for emitted in try await emitted(correlationIDs: ids) where !printed.contains(emitted.id) {
                printed.insert(emitted.id)
                print("[\(Self.format(emitted.occurredAt, context.timeZone))] \(emitted.caseNumber) \(emitted.text)")
                if emitted.isSignOverdue { overdueSeen.insert(emitted.appealID) }
            }
            if steps.isEmpty && silent.allSatisfy(overdueSeen.contains) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        if !(steps.isEmpty && silent.allSatisfy(overdueSeen.contains)) {
            print("未在 \(Int(timeout)) s 内看到全部 not everything within \(Int(timeout)) s (is minhu-deadlines running "
                  + "on the same MINHU_CLOCK_* settings?)")
        }
        try await printClocks(appeals.map(\.id))
    }

    /// The simulated instant to dispatch at: the next opening of office on a working day, waited for (the clock
    /// runs while the services start, so `scripts/demo` starts it before the opening), or now when the office is
    /// already open.
    func officeOpening(timeout: TimeInterval) async throws -> Date {
        let now = clock.now()
        let day = LocalDate(now, in: context.timeZone)
        let today = context.calendar.isWorkingDay(day) ? day : context.calendar.nextWorkingDay(after: day)
        let opening = context.calendar.openingOfOffice(on: today, officeHours: context.officeHours,
                                                       timeZone: context.timeZone)
        let closing = context.calendar.closeOfOffice(on: today, officeHours: context.officeHours,
                                                     timeZone: context.timeZone)
        if now >= opening && now < closing {
            if now.timeIntervalSince(opening) > 3600 {
                print("(minhu-deadlines took long to start: the office opened "
                      + "\(Self.format(opening, context.timeZone)), dispatching now)")
            }
            return now
        }
        let target = now < opening ? opening
            : context.calendar.openingOfOffice(on: context.calendar.nextWorkingDay(after: today),
                                               officeHours: context.officeHours, timeZone: context.timeZone)
        let wait = target.timeIntervalSince(now) / speed
        guard wait <= timeout else {
            throw CommandFailure("the office opens \(Self.format(target, context.timeZone, full: true)), "
                                 + "\(Int(wait)) s away at this clock speed: more than --timeout")
        }
        print("等待上班 waiting for the office to open: \(Self.format(target, context.timeZone, full: true)), "
              + String(format: "%.1f s", wait))
        try await Task.sleep(for: .seconds(wait))
        return max(target, clock.now())
    }

    // MARK: - The scenes

    /// The `appeal.dispatched` the dispatcher's routing part will emit: the sign-by policy and the appeal's own.
    func dispatch(_ appeal: Appeal, at time: Date, scene: Scene) -> AppealDispatched {
        let classified = appeal.classified
        let kind = classified?.kind ?? .complaint
        let tier = classified?.tier ?? .deadline
        let urgency = classified?.urgency ?? .normal
        let policy = context.policies.policy(channel: appeal.channel, kind: kind, tier: tier, urgency: urgency)
        let signBy = DeadlineCalculator.due(policy: context.policies.signBy, receivedAt: time,
                                            calendar: context.calendar, officeHours: context.officeHours,
                                            timeZone: context.timeZone)
        let replyBy = DeadlineCalculator.due(policy: policy, receivedAt: time, calendar: context.calendar,
                                             officeHours: context.officeHours, timeZone: context.timeZone)
        var workingDays: Int?
        if case .workingDays(let days) = policy.limit { workingDays = days }
        let department = classified.flatMap { $0.departmentCode ?? Self.departmentByCategory[$0.category.level1] }
            ?? "urban-mgmt"
        return AppealDispatched(appealId: appeal.id, caseNumber: appeal.caseNumber, round: 1, attempt: 1,
                                occurredAt: time, departmentCode: department, signBy: signBy, replyBy: replyBy,
                                policy: policy.name, tier: tier, urgency: urgency, workingDays: workingDays,
                                note: "演示：由 minhu demo deadlines 代为派单")
    }

    /// The department's and the citizen's part of a scene, at simulated instants after the dispatch.
    static func steps(_ scene: Scene, after dispatch: AppealDispatched, channel: MinhuModels.Channel) -> [Step] {
        let (id, number, department) = (dispatch.appealId, dispatch.caseNumber, dispatch.departmentCode)
        let start = dispatch.occurredAt
        func at(_ hours: Double) -> Date { start.addingTimeInterval(hours * 3600) }
        let signed = Step(at: at(0.5), caseNumber: number, label: "承办单位签收 department signed",
                          event: AppealSigned(appealId: id, caseNumber: number, round: 1, attempt: 1,
                                              occurredAt: at(0.5), departmentCode: department, handler: "演示承办人"))
        switch scene {
        case .onTime:
            let replied = AppealReplied(appealId: id, caseNumber: number, round: 1, attempt: 1, occurredAt: at(3.5),
                                        departmentCode: department, reply: "已安排人员现场核实处理，并电话告知市民。",
                                        resolved: true, contactedAt: at(3.4), handler: "演示承办人")
            return [signed, Step(at: at(3.5), caseNumber: number, label: "承办单位答复 department replied",
                                 event: replied)]
        case .silent:
            return []
        case .paused:
            let waiting = AppealAwaitingCitizen(appealId: id, caseNumber: number, round: 1, attempt: 1,
                                                occurredAt: at(1), departmentCode: department,
                                                reason: "请市民补充具体地址和现场照片")
            let supplemented = AppealSupplemented(appealId: id, caseNumber: number, round: 1, attempt: 1,
                                                  occurredAt: at(6), channel: channel,
                                                  text: "补充：具体位置在小区东门，照片已上传。")
            let progressed = AppealProgressed(appealId: id, caseNumber: number, round: 1, attempt: 1,
                                              occurredAt: at(6.5), departmentCode: department,
                                              note: "已收到补充材料，正在办理")
            return [signed,
                    Step(at: at(1), caseNumber: number, label: "待市民补充 waiting for the citizen", event: waiting),
                    Step(at: at(6), caseNumber: number, label: "市民已补充 the citizen supplemented",
                         event: supplemented),
                    Step(at: at(6.5), caseNumber: number, label: "承办单位继续办理 department reported progress",
                         event: progressed)]
        }
    }

    // MARK: - Database

    /// The latest appeals (by arrival) that have no deadline clocks yet, with their `appeal.classified`.
    static func latestUndispatched(_ count: Int, database: MinhuDatabase, logger: Logger) async throws -> [Appeal] {
        try await database.withConnection { connection in
            var appeals: [Appeal] = []
            let rows = try await connection.guardedQuery("""
                SELECT a.id, a.case_number, a.channel, a.arrival_channel FROM appeals a
                WHERE NOT EXISTS (SELECT 1 FROM deadline_clocks c WHERE c.appeal_id = a.id)
                ORDER BY a.received_at DESC, a.case_number DESC LIMIT \(count)
                """, logger: logger)
            for try await (id, caseNumber, channel, arrival) in rows.decode((UUID, String, String, String).self) {
                appeals.append(Appeal(id: id, caseNumber: caseNumber,
                                      channel: MinhuModels.Channel(rawValue: channel) ?? .hotline,
                                      arrivalChannel: MinhuModels.Channel(rawValue: arrival) ?? .hotline,
                                      classified: nil))
            }
            for index in appeals.indices {
                let classified = try await connection.guardedQuery("""
                    SELECT body FROM outbox WHERE type = 'appeal.classified'
                    AND correlation_id = \(appeals[index].id.uuidString) ORDER BY id DESC LIMIT 1
                    """, logger: logger)
                for try await body in classified.decode(String.self) {
                    appeals[index].classified = try? MinhuJSON.decode(AppealClassified.self, from: Data(body.utf8))
                }
            }
            return appeals.reversed()
        }
    }

    func departmentNames() async throws -> [String: String] {
        try await database.withConnection { connection in
            var names: [String: String] = [:]
            for try await (code, name) in try await connection.guardedQuery(
                "SELECT code, name FROM departments", logger: logger).decode((String, String).self) {
                names[code] = name
            }
            return names
        }
    }

    /// Appends the events to the demo's outbox and publishes them at once.
    func publish(_ events: [any EventPayload], at time: Date) async throws {
        let messages = try events.map { try MessageEnvelope.event($0, producer: Self.producer, at: time) }
        try await database.withTransaction { connection in
            try await OutboxWriter.append(messages, producer: Self.producer, on: connection, logger: logger)
        }
        _ = try await relay.flush()
    }

    /// What minhu-deadlines emitted about the appeals, in outbox order, as lines to print.
    func emitted(correlationIDs: [String]) async throws -> [DemoDeadlineEmission] {
        try await database.withConnection { connection in
            var emitted: [DemoDeadlineEmission] = []
            for try await (id, type, body) in try await connection.guardedQuery("""
                SELECT id, type, body FROM outbox WHERE producer = \(DeadlineContext.producer) AND is_event
                AND correlation_id = ANY(\(correlationIDs)) ORDER BY id
                """, logger: logger).decode((Int64, String, String).self) {
                if let emission = DemoDeadlineEmission(id: id, type: type, body: Data(body.utf8),
                                                   timeZone: context.timeZone) {
                    emitted.append(emission)
                }
            }
            return emitted
        }
    }

    /// The clocks of the appeals, as minhu-deadlines keeps them.
    func printClocks(_ appealIDs: [UUID]) async throws {
        print("\n时限 clocks (deadline_clocks):")
        try await database.withConnection { connection in
            let rows = try await connection.guardedQuery("""
                SELECT case_number, clock, state, due_at, warnings_emitted, overdue_emitted, coalesce(stop_reason, '')
                FROM deadline_clocks WHERE appeal_id = ANY(\(appealIDs)) ORDER BY case_number, clock DESC
                """, logger: logger)
            for try await (number, clock, state, due, warnings, overdue, reason)
                in rows.decode((String, String, String, Date, [Double], Bool, String).self) {
                let name = DeadlineClock(rawValue: clock)?.chineseName ?? clock
                let shares = warnings.map { "\(Int(($0 * 100).rounded()))%" }.joined(separator: " ")
                print("  \(number)  \(name)  \(state)\(reason.isEmpty ? "" : " (\(reason))")  "
                      + "due \(Self.format(due, context.timeZone))  预警 \(shares.isEmpty ? "无" : shares)  "
                      + "超期 \(overdue ? "是" : "否")")
            }
        }
    }

    // MARK: - Formatting

    static func format(_ date: Date, _ timeZone: TimeZone, full: Bool = false) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = full ? "yyyy-MM-dd HH:mm (EEE)" : "MM-dd HH:mm"
        return formatter.string(from: date)
    }

    static func speedText(_ speed: Double) -> String {
        speed >= 60 ? String(format: "%g simulated minutes per second", speed / 60)
            : String(format: "%g simulated seconds per second", speed)
    }
}
