import Foundation
import MinhuModels

/// The body of `POST /v1/appeals` (docs/intake.md): an `IntakeAppeal` plus the channel, with `external_id`
/// optional (the `Idempotency-Key` header makes the request idempotent).
///
/// ```json
/// {"channel": "hotline", "kind": "complaint", "title": "噪音扰民", "body": "…", "submitted_at": "2026-11-22T08:00:00Z",
///  "location": {"district": "襄城区", "address": "檀溪路128号"},
///  "citizen": {"name": "张三", "phone": "13800138000", "anonymous": false}, "attachments": []}
/// ```
public struct AppealSubmission: Decodable, Sendable {
    public var channel: Channel
    public var externalId: String?
    public var kind: AppealKind?
    public var title: String
    public var body: String
    public var submittedAt: Date
    public var location: Location?
    public var citizen: Citizen
    public var attachments: [URL]

    private enum CodingKeys: String, CodingKey {
        case channel, externalId, kind, title, body, submittedAt, location, citizen, attachments
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        channel = try container.decode(Channel.self, forKey: .channel)
        externalId = try container.decodeIfPresent(String.self, forKey: .externalId)
        kind = try container.decodeIfPresent(AppealKind.self, forKey: .kind)
        title = try container.decode(String.self, forKey: .title)
        body = try container.decode(String.self, forKey: .body)
        submittedAt = try container.decode(Date.self, forKey: .submittedAt)
        location = try container.decodeIfPresent(Location.self, forKey: .location)
        citizen = try container.decode(Citizen.self, forKey: .citizen)
        attachments = try container.decodeIfPresent([URL].self, forKey: .attachments) ?? []
    }

    public var draft: AppealDraft {
        AppealDraft(channel: channel, externalId: externalId, kind: kind, title: title, body: body,
                    submittedAt: submittedAt, location: location, citizen: citizen, attachments: attachments)
    }

    /// Parses and validates a request body: invalid UTF-8 and invalid JSON are refused for the whole body, the
    /// rest names the field.
    public static func parse(_ data: Data, now: Date) -> Result<AppealDraft, IntakeRefusal> {
        guard String(validating: data, as: UTF8.self) != nil else {
            return .failure(IntakeRefusal(field: nil, reason: "body is not valid UTF-8"))
        }
        let submission: AppealSubmission
        do {
            submission = try MinhuJSON.decode(AppealSubmission.self, from: data)
        } catch {
            return .failure(IntakeRefusal(decoding: error))
        }
        return submission.draft.validated(now: now)
    }
}
