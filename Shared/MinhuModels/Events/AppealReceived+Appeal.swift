import Foundation

extension AppealReceived {
    /// The event for a newly committed appeal: round 1, attempt 0, the citizen masked; `arrivalChannel` is the
    /// channel it came in on (the appeal's own channel may be `deputy`), `serviceCode` the Open311 service chosen.
    public init(appeal: Appeal, occurredAt: Date, arrivalChannel: Channel? = nil, serviceCode: String? = nil) {
        self.init(appealId: appeal.id, caseNumber: appeal.caseNumber, round: 1, attempt: 0, occurredAt: occurredAt,
                  channel: appeal.channel, externalId: appeal.externalId, kind: appeal.kind, title: appeal.title,
                  body: appeal.body, submittedAt: appeal.submittedAt, location: appeal.location,
                  citizen: appeal.citizen.masked, attachments: appeal.attachments, fromDeputy: appeal.fromDeputy,
                  deputyLevel: appeal.deputyLevel, deputyId: appeal.deputyId,
                  arrivalChannel: arrivalChannel ?? appeal.channel, serviceCode: serviceCode)
    }
}
