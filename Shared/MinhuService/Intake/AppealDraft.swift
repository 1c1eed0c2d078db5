import Foundation
import MinhuModels

/// An appeal as a channel submitted it, before intake commits it: what every intake path (native HTTP, Open311,
/// AMQP) produces and `AppealRecorder` records. `validated(now:)` checks it and normalises the phone.
public struct AppealDraft: Sendable, Hashable {
    /// The channel it arrived on (the integrator's, for AMQP and Open311).
    public var channel: Channel
    /// The channel's own id for the submission: with `channel`, a resend is the same appeal.
    public var externalId: String?
    public var kind: AppealKind?
    public var title: String
    public var body: String
    public var submittedAt: Date
    public var location: Location?
    public var citizen: Citizen
    public var attachments: [URL]
    /// Open311's service_code (a categories id), when given.
    public var serviceCode: String?

    public init(channel: Channel, externalId: String? = nil, kind: AppealKind? = nil, title: String, body: String,
                submittedAt: Date, location: Location? = nil, citizen: Citizen, attachments: [URL] = [],
                serviceCode: String? = nil) {
        self.channel = channel
        self.externalId = externalId
        self.kind = kind
        self.title = title
        self.body = body
        self.submittedAt = submittedAt
        self.location = location
        self.citizen = citizen
        self.attachments = attachments
        self.serviceCode = serviceCode
    }

    /// An integrator's `<channel>.appeal` message.
    public init(_ message: IntakeAppeal, channel: Channel) {
        self.init(channel: channel, externalId: message.externalId, kind: message.kind, title: message.title,
                  body: message.body, submittedAt: message.submittedAt, location: message.location,
                  citizen: message.citizen, attachments: message.attachments)
    }

    public static let maxTitleLength = 200
    public static let maxBodyLength = 20_000
    public static let maxAttachments = 20
    /// The longest attachment URL, in characters.
    public static let maxAttachmentURLLength = 2_048
    /// The longest district, street or community name of a location, in characters.
    public static let maxPlaceNameLength = 100
    public static let maxExternalIdLength = 128
    /// The most UTF-8 bytes an `external_id` (or a supplement's `case_number`) may take: 128 characters of Chinese
    /// fit, while characters carrying dozens of combining marks, which would pass the character count, would make
    /// an index entry PostgreSQL cannot store (a 500, or a message requeued until its delivery limit).
    public static let maxExternalIdBytes = 512

    /// A text's length as the limits here count it: in Unicode code points, as JSON Schema's `maxLength` does, so
    /// that Minhu refuses what the published schemas refuse. (`String.count` counts grapheme clusters, fewer when
    /// characters combine: a flag is one character and two code points. Until 2026-11-25 the limits counted those.)
    public static func length(_ text: String) -> Int {
        text.unicodeScalars.count
    }

    /// Whether `id` is longer than `maxExternalIdLength` characters or `maxExternalIdBytes` bytes.
    public static func externalIdTooLong(_ id: String) -> Bool {
        length(id) > maxExternalIdLength || id.utf8.count > maxExternalIdBytes
    }

    /// The refusal's wording for an id that `externalIdTooLong` refuses.
    static let externalIdLimit = "longer than \(maxExternalIdLength) characters or \(maxExternalIdBytes) bytes"

    /// The draft checked and normalised (trimmed title, canonical phone), or the first refusal naming its field.
    /// `now` bounds `submitted_at` (at most a day ahead, for clocks that drift).
    public func validated(now: Date) -> Result<AppealDraft, IntakeRefusal> {
        func refuse(_ field: String, _ reason: String) -> Result<AppealDraft, IntakeRefusal> {
            .failure(IntakeRefusal(field: field, reason: reason))
        }
        var draft = self
        if let externalId {
            if externalId.isEmpty { return refuse("external_id", "must not be empty when given") }
            if Self.externalIdTooLong(externalId) {
                return refuse("external_id", Self.externalIdLimit)
            }
            if externalId.contains("\u{0}") { return refuse("external_id", "contains a NUL character") }
        }
        draft.title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        if draft.title.isEmpty { return refuse("title", "must not be empty") }
        if Self.length(draft.title) > Self.maxTitleLength { return refuse("title", "longer than \(Self.maxTitleLength) characters") }
        if title.contains("\u{0}") { return refuse("title", "contains a NUL character") }
        if body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return refuse("body", "must not be empty") }
        if Self.length(body) > Self.maxBodyLength { return refuse("body", "longer than \(Self.maxBodyLength) characters") }
        if body.contains("\u{0}") { return refuse("body", "contains a NUL character") }
        if let refusal = Self.submissionTimeRefusal(submittedAt, now: now) { return .failure(refusal) }
        guard let phone = Citizen.normalizePhone(citizen.phone) else {
            return refuse("citizen.phone", "not a Chinese phone number (mobile, or landline: with its area code, or a local number)")
        }
        draft.citizen.phone = phone
        if let name = citizen.name {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            if Self.length(trimmed) > 50 { return refuse("citizen.name", "longer than 50 characters") }
            if trimmed.contains("\u{0}") { return refuse("citizen.name", "contains a NUL character") }
            draft.citizen.name = trimmed.isEmpty || citizen.anonymous ? nil : trimmed
        }
        if let location {
            if location.address.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                return refuse("location.address", "must not be empty")
            }
            if Self.length(location.address) > 500 { return refuse("location.address", "longer than 500 characters") }
            let texts = [location.address, location.district, location.street, location.community].compactMap { $0 }
            if texts.contains(where: { $0.contains("\u{0}") }) { return refuse("location", "contains a NUL character") }
            for (field, name) in [("district", location.district), ("street", location.street),
                                  ("community", location.community)] {
                if let name, Self.length(name) > Self.maxPlaceNameLength {
                    return refuse("location.\(field)", "longer than \(Self.maxPlaceNameLength) characters")
                }
            }
            if (location.latitude == nil) != (location.longitude == nil) {
                return refuse(location.latitude == nil ? "location.latitude" : "location.longitude",
                              "latitude and longitude go together")
            }
            if let latitude = location.latitude, !(-90...90).contains(latitude) {
                return refuse("location.latitude", "must be between -90 and 90")
            }
            if let longitude = location.longitude, !(-180...180).contains(longitude) {
                return refuse("location.longitude", "must be between -180 and 180")
            }
        }
        if let refusal = Self.attachmentsRefusal(attachments) { return .failure(refusal) }
        return .success(draft)
    }

    /// `submitted_at` from 2000 to a day ahead of `now` (clocks drift), or the refusal; supplements share it.
    static func submissionTimeRefusal(_ submittedAt: Date, now: Date) -> IntakeRefusal? {
        if submittedAt > now.addingTimeInterval(86_400) {
            return IntakeRefusal(field: "submitted_at", reason: "is in the future")
        }
        if submittedAt < Date(timeIntervalSince1970: 946_684_800) {
            return IntakeRefusal(field: "submitted_at", reason: "is before 2000")
        }
        return nil
    }

    /// At most `maxAttachments` http(s) URLs, or the refusal naming the first bad one; supplements share it.
    static func attachmentsRefusal(_ attachments: [URL]) -> IntakeRefusal? {
        if attachments.count > maxAttachments {
            return IntakeRefusal(field: "attachments", reason: "more than \(maxAttachments) attachments")
        }
        for (index, url) in attachments.enumerated() {
            if !["http", "https"].contains(url.scheme?.lowercased() ?? "") {
                return IntakeRefusal(field: "attachments[\(index)]", reason: "must be an http or https URL")
            }
            if length(url.absoluteString) > maxAttachmentURLLength {
                return IntakeRefusal(field: "attachments[\(index)]",
                                     reason: "longer than \(maxAttachmentURLLength) characters")
            }
        }
        return nil
    }
}
