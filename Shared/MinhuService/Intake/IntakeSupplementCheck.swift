import Foundation
import MinhuModels

extension IntakeSupplement {
    /// The first thing wrong with the supplement, as "field: reason", or nil. The same limits as an appeal's
    /// (`AppealDraft`): text, identifiers without NUL (PostgreSQL text cannot hold it), at most 20 http(s)
    /// attachments, a submission time from 2000 to a day ahead of `now`.
    func refusal(now: Date) -> String? {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "text: must not be empty" }
        if text.count > AppealDraft.maxBodyLength { return "text: longer than \(AppealDraft.maxBodyLength) characters" }
        for (field, value) in [("text", text), ("case_number", caseNumber ?? ""), ("external_id", externalId ?? "")]
        where value.contains("\u{0}") {
            return "\(field): contains a NUL character"
        }
        if let caseNumber, caseNumber.count > AppealDraft.maxExternalIdLength {
            return "case_number: longer than \(AppealDraft.maxExternalIdLength) characters"
        }
        if let externalId, externalId.count > AppealDraft.maxExternalIdLength {
            return "external_id: longer than \(AppealDraft.maxExternalIdLength) characters"
        }
        if attachments.count > AppealDraft.maxAttachments {
            return "attachments: more than \(AppealDraft.maxAttachments) attachments"
        }
        for (index, url) in attachments.enumerated() where !["http", "https"].contains(url.scheme?.lowercased() ?? "") {
            return "attachments[\(index)]: must be an http or https URL"
        }
        if submittedAt > now.addingTimeInterval(86_400) { return "submitted_at: is in the future" }
        if submittedAt < Date(timeIntervalSince1970: 946_684_800) { return "submitted_at: is before 2000" }
        return nil
    }
}
