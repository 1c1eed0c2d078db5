import Foundation

extension AppealReceived {
    /// The event for a newly committed appeal: round 1, attempt 0, the citizen masked.
    public init(appeal: Appeal, occurredAt: Date) {
        self.init(appealId: appeal.id, caseNumber: appeal.caseNumber, round: 1, attempt: 0, occurredAt: occurredAt,
                  channel: appeal.channel, externalId: appeal.externalId, kind: appeal.kind, title: appeal.title,
                  body: appeal.body, submittedAt: appeal.submittedAt, location: appeal.location,
                  citizen: appeal.citizen.masked, attachments: appeal.attachments, fromDeputy: appeal.fromDeputy,
                  deputyLevel: appeal.deputyLevel, deputyId: appeal.deputyId)
    }
}
