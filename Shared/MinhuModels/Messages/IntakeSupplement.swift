import Foundation

/// More information for an appeal already submitted, on `minhu.intake` with routing key `<channel>.supplement`. Names
/// the appeal by `external_id` (the channel's id of the original submission) or `case_number`; at least one is
/// required.
///
/// On `minhu.intake`, routing key `<channel>.supplement`; schema `docs/messages/intake-supplement.schema.json`.
public struct IntakeSupplement: MinhuMessage, Hashable {
    public static let messageType = "intake.supplement"
    public static let schemaName = "intake-supplement"
    public static let schemaVersion = 1

    /// The channel's id of the original submission.
    public var externalId: String?
    /// The case number the citizen was told.
    public var caseNumber: String?
    /// What the citizen adds (Chinese).
    public var text: String
    /// Photos and documents (may be omitted).
    public var attachments: [URL]
    /// When the citizen submitted it.
    public var submittedAt: Date

    public init(externalId: String? = nil, caseNumber: String? = nil, text: String, attachments: [URL] = [],
                submittedAt: Date) {
        self.externalId = externalId
        self.caseNumber = caseNumber
        self.text = text
        self.attachments = attachments
        self.submittedAt = submittedAt
    }

    /// Decodes, taking omitted optional arrays as empty; fails when neither `external_id` nor `case_number` is
    /// given (null counts as not given), or when either is empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        externalId = try container.decodeIfPresent(String.self, forKey: .externalId)
        caseNumber = try container.decodeIfPresent(String.self, forKey: .caseNumber)
        text = try container.decode(String.self, forKey: .text)
        attachments = try container.decodeIfPresent([URL].self, forKey: .attachments) ?? []
        submittedAt = try container.decode(Date.self, forKey: .submittedAt)
        // The schema's minLength: an empty id names no appeal.
        for (key, value) in [(CodingKeys.externalId, externalId), (.caseNumber, caseNumber)]
        where value?.isEmpty == true {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "must not be empty")
        }
        guard externalId != nil || caseNumber != nil else {
            throw DecodingError.keyNotFound(CodingKeys.externalId, .init(
                codingPath: decoder.codingPath,
                debugDescription: "either 'external_id' or 'case_number' is required"))
        }
    }

    private enum CodingKeys: String, CodingKey {
        case externalId, caseNumber, text, attachments, submittedAt
    }
}
