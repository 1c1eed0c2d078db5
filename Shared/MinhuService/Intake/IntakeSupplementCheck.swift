import Foundation
import MinhuModels

extension IntakeSupplement {
    /// The first thing wrong with the supplement, as "field: reason", or nil. The same limits as an appeal's
    /// (`AppealDraft`): text, identifiers without NUL (PostgreSQL text cannot hold it), at most 20 http(s)
    /// attachments, a submission time from 2000 to a day ahead of `now`.
    func refusal(now: Date) -> String? {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "text: must not be empty" }
        if AppealDraft.length(text) > AppealDraft.maxBodyLength { return "text: longer than \(AppealDraft.maxBodyLength) characters" }
        for (field, value) in [("text", text), ("case_number", caseNumber ?? ""), ("external_id", externalId ?? "")]
        where value.contains("\u{0}") {
            return "\(field): contains a NUL character"
        }
        if let caseNumber, AppealDraft.externalIdTooLong(caseNumber) {
            return "case_number: \(AppealDraft.externalIdLimit)"
        }
        if let externalId, AppealDraft.externalIdTooLong(externalId) {
            return "external_id: \(AppealDraft.externalIdLimit)"
        }
        let refusal = AppealDraft.attachmentsRefusal(attachments) ?? AppealDraft.submissionTimeRefusal(submittedAt, now: now)
        return refusal.map(\.description)
    }
}
