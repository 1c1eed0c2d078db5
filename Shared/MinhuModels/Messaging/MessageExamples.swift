import Foundation

/// One realistic example of every message with a schema in `docs/messages` (events included).
///
/// ```swift
/// for example in try MessageExamples.all() {
///     try example.json.write(to: dir.appendingPathComponent("\(example.schema).json"))
/// }
/// ```
public enum MessageExamples {
    /// Every example, events first, in `EventType.allCases` order, then the other messages.
    public static func all() throws -> [MessageExample] {
        var examples = try events.map { try MessageExample(value: $0, route: .event(type(of: $0).eventType)) }
        examples += try messages.map { try MessageExample(value: $0.value, route: $0.route) }
        return examples
    }

    // MARK: Sample values

    static let appealId = UUID(uuidString: "3F2504E0-4F89-41D3-9A0C-0305E82C3301")!
    static let otherAppealId = UUID(uuidString: "7C9E6679-7425-40DE-944B-E07FC1F90AE7")!
    static let clusterId = UUID(uuidString: "9B2D1A44-5E6F-4C3B-8A7D-1E2F3A4B5C6D")!
    static let surveyId = UUID(uuidString: "5D6E7F80-91A2-4B3C-8D4E-5F60718293A4")!
    static let supervisionId = UUID(uuidString: "1A2B3C4D-5E6F-4A8B-9C0D-1E2F3A4B5C6D")!
    static let deputyId = UUID(uuidString: "0F1E2D3C-4B5A-4968-8776-655443322110")!
    static let reportId = UUID(uuidString: "AB12CD34-EF56-4789-8ABC-DEF012345678")!
    static let refusedMessageId = UUID(uuidString: "C0FFEE00-1234-4567-89AB-CDEF01234567")!
    static let caseNumber = "20250609-000123"

    /// 2025-06-09 (Monday) 09:30 Asia/Shanghai + `hours`.
    static func time(_ hours: Double = 0) -> Date {
        Date(timeIntervalSince1970: 1_749_432_600 + hours * 3600)
    }

    static let location = Location(district: "襄城区", street: "檀溪街道", community: "檀溪社区",
                                   address: "檀溪路128号南湖小区3栋", latitude: 32.0089, longitude: 112.1430)
    static let place = Place(district: "襄城区", street: "檀溪街道", community: "檀溪社区", road: "檀溪路")
    static let category = CategoryPath(level1: "城乡建设", level2: "市政设施", level3: "路灯")
    static let citizen = Citizen(name: "王秀英", phone: "+86 138-0013-8000", preferredChannel: .wechat)
    static let photo = URL(string: "https://files.minhu.example/attachments/2025/06/09/lamp.jpg")!
    static let tracking = URL(string: "https://minhu.example/track/20250609-000123")!
    static let title = "檀溪路南湖小区门口路灯不亮"
    static let body = "檀溪路128号南湖小区门口的三盏路灯已经连续一周晚上不亮，老人孩子夜里出行很不安全，请尽快维修。"

    // MARK: Events

    static var events: [any EventPayload] {
        let life = (appealId: appealId, caseNumber: caseNumber)
        return [
            AppealReceived(appealId: life.appealId, caseNumber: life.caseNumber, round: 1, attempt: 0,
                           occurredAt: time(0.01), channel: .wechat, externalId: "wx-msg-8812734", kind: .help,
                           title: title, body: body, submittedAt: time(), location: location, citizen: citizen.masked,
                           attachments: [photo], fromDeputy: false, arrivalChannel: .wechat, serviceCode: "17"),
            AppealSupplemented(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(5),
                               channel: .wechat, text: "补充：小区东门的路灯也不亮，共四盏。", attachments: [photo]),
            AppealClassified(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 0, occurredAt: time(0.02),
                             category: category, confidence: 0.92, kind: .help, urgency: .normal, tier: .deadline,
                             place: place, clusterId: clusterId, manual: false, departmentCode: "urban-management"),
            AppealRejected(appealId: otherAppealId, caseNumber: "20250609-000124", round: 1, attempt: 0,
                           occurredAt: time(0.5), reason: "该诉求属于民事纠纷，应通过诉讼途径解决，不属于热线受理范围。",
                           legalBasis: "《12345政务服务便民热线管理办法》第十二条", decidedBy: "agent-li"),
            AppealDispatched(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(0.03),
                             departmentCode: "urban-management", coDepartmentCodes: ["power-supply"],
                             signBy: time(2), replyBy: time(103.5), policy: "ordinary-5wd", tier: .deadline,
                             urgency: .normal, workingDays: 5, note: "请会同供电公司核实线路故障。"),
            AppealSigned(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(1),
                         departmentCode: "urban-management", handler: "张建国"),
            AppealReturned(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(1.5),
                           departmentCode: "urban-management", reason: "该路段路灯由供电公司产权管理，非我局职责。",
                           suggestedDepartmentCode: "power-supply"),
            AppealProgressed(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(6),
                             departmentCode: "urban-management", note: "已派维修班组现场勘查，确认为线路老化。"),
            AppealAwaitingCitizen(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1,
                                  occurredAt: time(7), departmentCode: "urban-management",
                                  reason: "需群众提供具体不亮路灯的位置照片。"),
            AppealExtensionRequested(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1,
                                     occurredAt: time(24), departmentCode: "urban-management", workingDays: 5,
                                     reason: "需更换地下电缆，施工审批需要时间。"),
            AppealReplied(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(50),
                          departmentCode: "urban-management",
                          reply: "您好，经现场核查，路灯不亮系线路老化所致，我局已于6月11日更换线路，四盏路灯已恢复照明。感谢您的监督。",
                          resolved: true, contactedAt: time(3), handler: "张建国", attachments: [photo]),
            HotspotDetected(clusterId: clusterId, size: 12, threshold: 10, people: 11, windowStart: time(-48), windowEnd: time(),
                            title: "檀溪路沿线路灯不亮", place: place, category: category,
                            memberAppealIds: [appealId, otherAppealId], occurredAt: time(0.02)),
            DeadlineWarning(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(74),
                            departmentCode: "urban-management", clock: .reply, thresholdShare: 0.8,
                            dueAt: time(103.5)),
            DeadlineOverdue(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(2),
                            departmentCode: "urban-management", clock: .sign, dueAt: time(2)),
            DeadlineChanged(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(26),
                            departmentCode: "urban-management", reason: .extension, replyBy: time(271.5),
                            extensionWorkingDays: 5, approved: true, decidedBy: "centre-chen",
                            note: "同意延期5个工作日。"),
            SupervisionOpened(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(104),
                              supervisionId: supervisionId, level: 2, reason: .overdue,
                              departmentCode: "urban-management", note: "办理超期，转督办。"),
            SupervisionEscalated(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1,
                                 occurredAt: time(128), supervisionId: supervisionId, fromLevel: 2, toLevel: 3,
                                 reason: "督办后仍未答复，升级为挂牌督办。", departmentCode: "urban-management"),
            SupervisionResolved(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1,
                                occurredAt: time(130), supervisionId: supervisionId,
                                resolution: "承办单位已答复并整改到位。"),
            AppealReopened(appealId: appealId, caseNumber: caseNumber, round: 2, attempt: 0, occurredAt: time(80),
                           previousRound: 1, reason: "群众反映路灯修好两天后再次不亮。", decidedBy: "supervisor-wu"),
            SurveyRequested(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(51),
                            surveyId: surveyId, channel: .wechat, respondent: .citizen, answerBy: time(171)),
            EvaluationRecorded(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(55),
                               source: .citizen, surveyId: surveyId, satisfaction: .satisfied, resolved: true,
                               contacted: true, comment: "修得很快，谢谢！"),
            AppealDissatisfied(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1,
                               occurredAt: time(55), source: .citizen, surveyId: surveyId,
                               comment: "只修了一盏，其他的还是不亮。"),
            AppealClosed(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(56),
                         reason: .evaluated, satisfaction: .satisfied, closedBy: "minhu-evaluation"),
            ReportPublished(reportId: reportId, kind: "monthly", title: "2025年5月12345热线运行月报",
                            periodStart: Date(timeIntervalSince1970: 1_746_028_800),
                            periodEnd: Date(timeIntervalSince1970: 1_748_707_200),
                            url: URL(string: "https://minhu.example/reports/2025-05"), occurredAt: time(-7.5)),
        ]
    }

    // MARK: Messages that are not events

    static var messages: [(value: any MinhuMessage, route: MessageRoute)] {
        let code = "urban-management"
        return [
            (IntakeAppeal(externalId: "wx-msg-8812734", kind: .help, title: title, body: body, submittedAt: time(),
                          location: location, citizen: citizen, attachments: [photo]),
             .intake(channel: .wechat, kind: .appeal)),
            (IntakeSupplement(externalId: "wx-msg-8812734", caseNumber: caseNumber,
                              text: "补充：小区东门的路灯也不亮，共四盏。", attachments: [photo], submittedAt: time(5)),
             .intake(channel: .wechat, kind: .supplement)),
            (SurveyAnswer(surveyId: surveyId, caseNumber: caseNumber, satisfaction: .basicallySatisfied,
                          resolved: true, contacted: true, comment: "路灯修好了，但等的时间有点长。",
                          answeredAt: time(54)),
             .intake(channel: .wechat, kind: .surveyAnswer)),
            (OutboundAcknowledgement(appealId: appealId, caseNumber: caseNumber, channel: .wechat,
                                     externalId: "wx-msg-8812734", phone: citizen.phone,
                                     text: "您的诉求已受理，受理编号20250609-000123，可点击链接查询办理进度。",
                                     trackingUrl: tracking, acceptedAt: time(0.01)),
             .outbound(channel: .wechat)),
            (OutboundReply(appealId: appealId, caseNumber: caseNumber, channel: .wechat, externalId: "wx-msg-8812734",
                           phone: citizen.phone, kind: .reply,
                           text: "您好，经现场核查，路灯不亮系线路老化所致，已于6月11日更换线路，四盏路灯已恢复照明。",
                           departmentName: "市城市管理执法委员会", trackingUrl: tracking, sentAt: time(50.1)),
             .outbound(channel: .wechat)),
            (SurveyInvitation(surveyId: surveyId, appealId: appealId, caseNumber: caseNumber, channel: .wechat,
                              externalId: "wx-msg-8812734", phone: citizen.phone,
                              text: "您反映的“檀溪路南湖小区门口路灯不亮”已办理答复，请对办理结果进行评价：满意、基本满意或不满意。",
                              answerBy: time(171), sentAt: time(51)),
             .outbound(channel: .wechat)),
            (DispatchAssignment(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, departmentCode: code,
                                role: .lead, leadDepartmentCode: code, coDepartmentCodes: ["power-supply"],
                                channel: .wechat, kind: .help, urgency: .normal, tier: .deadline, category: category,
                                title: title, body: body, submittedAt: time(), location: location, citizen: citizen,
                                attachments: [photo], fromDeputy: true, deputyLevel: .city, signBy: time(2),
                                replyBy: time(103.5), note: "请会同供电公司核实线路故障。", issuedAt: time(0.03)),
             .dispatch(department: code)),
            (ExtensionDecision(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, departmentCode: code,
                               approved: true, requestedWorkingDays: 5, grantedWorkingDays: 5, replyBy: time(271.5),
                               reason: "施工审批确需时间，同意延期。", decidedBy: "centre-chen", decidedAt: time(26)),
             .dispatch(department: code)),
            (DepartmentNotice(departmentCode: code, kind: .supervisionLetter, appealId: appealId,
                              caseNumber: caseNumber, round: 1, attempt: 1, title: "督办函（襄热线督〔2025〕12号）",
                              text: "你单位承办的20250609-000123号诉求已超期未答复，请于2个工作日内办结并书面报告。",
                              dueAt: time(151.5), refersToMessageId: refusedMessageId, issuedBy: "minhu-supervision",
                              issuedAt: time(104)),
             .dispatch(department: code)),
            (DepartmentSigned(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(1),
                              handler: "张建国"),
             .department(code: code, action: .signed)),
            (DepartmentReturned(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1,
                                occurredAt: time(1.5), handler: "张建国",
                                reason: "该路段路灯由供电公司产权管理，非我局职责。",
                                suggestedDepartmentCode: "power-supply"),
             .department(code: code, action: .returned)),
            (DepartmentProgress(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(6),
                                handler: "张建国", note: "已派维修班组现场勘查，确认为线路老化。"),
             .department(code: code, action: .progress)),
            (DepartmentAwaitingCitizen(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1,
                                       occurredAt: time(7), handler: "张建国",
                                       reason: "需群众提供具体不亮路灯的位置照片。"),
             .department(code: code, action: .awaitingCitizen)),
            (DepartmentExtensionRequested(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1,
                                          occurredAt: time(24), handler: "张建国", workingDays: 5,
                                          reason: "需更换地下电缆，施工审批需要时间。"),
             .department(code: code, action: .extensionRequested)),
            (DepartmentReplied(appealId: appealId, caseNumber: caseNumber, round: 1, attempt: 1, occurredAt: time(50),
                               handler: "张建国",
                               reply: "您好，经现场核查，路灯不亮系线路老化所致，我局已于6月11日更换线路，四盏路灯已恢复照明。",
                               resolved: true, contactedAt: time(3), attachments: [photo]),
             .department(code: code, action: .replied)),
        ]
    }
}
