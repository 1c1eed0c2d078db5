import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// `POST requests`: turns the form of a GeoReport v2 request into an `AppealDraft`, validates it, and records it
/// through `AppealRecorder` in one transaction (DESIGN §5: the 200 means committed).
public struct Open311Submission: Sendable {
    public static let titleLength = 20
    public let recorder: AppealRecorder
    public let database: MinhuDatabase
    public let logger: Logger

    public init(recorder: AppealRecorder, database: MinhuDatabase, logger: Logger) {
        self.recorder = recorder
        self.database = database
        self.logger = logger
    }

    /// The draft the form describes on `channel`, or the 400 naming the first bad field. Does not look the
    /// service code up (see `submit`).
    public static func draft(_ form: Open311Form, channel: MinhuModels.Channel,
                             now: Date) throws(Open311Error) -> AppealDraft {
        guard let given = form.value("service_code") else { throw .badRequest("service_code: required") }
        // Stored as the catalogue writes it ("017" and "+17" are service 17), so lists and filters find it.
        let serviceCode = Int32(given).map { String($0) } ?? given
        guard let description = form.value("description") else { throw .badRequest("description: required") }
        guard let phone = form.value("phone") else {
            throw .badRequest("phone: required (a Chinese mobile, or a landline: with its area code, or a local number)")
        }
        let location = try location(form)
        var kind: AppealKind?
        if let text = form.value("attribute[kind]") {
            guard let value = AppealKind(codeOrChineseName: text) else {
                throw .badRequest("attribute[kind]: expected consultation, help, complaint, report or suggestion")
            }
            kind = value
        }
        var anonymous = false
        if let text = form.value("attribute[anonymous]") {
            switch text.lowercased() {
            case "true", "1", "yes", "是": anonymous = true
            case "false", "0", "no", "否": anonymous = false
            default: throw .badRequest("attribute[anonymous]: expected true or false")
            }
        }
        var attachments: [URL] = []
        if let text = form.value("media_url") {
            guard let url = URL(string: text), url.host != nil else {
                throw .badRequest("media_url: not a URL")
            }
            attachments.append(url)
        }
        let title = form.value("attribute[title]")
            ?? String(description.split(whereSeparator: \.isNewline).joined(separator: " ").prefix(titleLength))
        let citizen = Citizen(name: name(first: form.value("first_name"), last: form.value("last_name")),
                              phone: phone, anonymous: anonymous)
        let draft = AppealDraft(channel: channel, kind: kind, title: title, body: description, submittedAt: now,
                                location: location, citizen: citizen, attachments: attachments,
                                serviceCode: serviceCode)
        switch draft.validated(now: now) {
        case .success(let valid): return valid
        case .failure(let refusal): throw .badRequest("\(fieldName(refusal.field)): \(refusal.reason)")
        }
    }

    /// Records the form on `channel`: 404 for a service_code that is not an active category. With `retryId`
    /// (`retryId(key:keyId:)`), a request already recorded under it is answered with that appeal again, before
    /// the form is read: whatever the retry carries (a form rebuilt without a field, a service since withdrawn),
    /// the client learns that its first request was committed.
    public func submit(_ form: Open311Form, channel: MinhuModels.Channel,
                       retryId: String? = nil) async throws -> RecordedAppeal {
        let logger = logger
        if let retryId, let earlier = try await database.withConnection({ connection in
            try await AppealBatchRecorder.existing(channel: channel, externalId: retryId, on: connection,
                                                   logger: logger)
        }) {
            return earlier
        }
        var draft = try Self.draft(form, channel: channel, now: recorder.clock.now())
        draft.externalId = retryId
        let recorder = recorder
        return try await database.withTransaction { connection -> RecordedAppeal in
            guard try await Open311Service.find(code: draft.serviceCode ?? "", on: connection, logger: logger) != nil
            else { throw Open311Error.notFound("service_code: no service '\(draft.serviceCode ?? "")'") }
            return try await recorder.record(draft, acknowledge: false, on: connection, logger: logger)
        }
    }

    /// The channel id under which a POST with the `Idempotency-Key` header `key` is recorded: a digest of the
    /// API key's id and `key`, so that one key's retries find its first request and no other key's (Open311 has
    /// no idempotency of its own; the header is Minhu's, as on `POST /v1/appeals`). 400 for an empty key or one
    /// longer than `IdempotentSubmission.maxKeyLength`.
    public static func retryId(key: String, keyId: UUID) throws(Open311Error) -> String {
        guard !key.isEmpty, key.unicodeScalars.count <= IdempotentSubmission.maxKeyLength else {
            throw .badRequest("Idempotency-Key: "
                              + (key.isEmpty ? "empty" : "longer than \(IdempotentSubmission.maxKeyLength) characters"))
        }
        return "open311-" + SHA256.hexDigest(of: keyId.uuidString + "\u{1f}" + key)
    }

    /// The answer of `POST requests`.
    public static func node(_ recorded: RecordedAppeal, accountId: String?) -> Open311Node {
        .list(element: "request", [.object([
            .init("service_request_id", .string(recorded.caseNumber)),
            .init("token", .string(recorded.trackingToken)),
            .init("service_notice", .string("您的诉求已受理，受理编号：\(recorded.caseNumber)")),
            .init("account_id", .optional(accountId)),
        ])])
    }

    static func location(_ form: Open311Form) throws(Open311Error) -> Location? {
        let latText = form.value("lat"), longText = form.value("long")
        var latitude: Double?, longitude: Double?
        if latText != nil || longText != nil {
            guard let latText, let longText else {
                throw .badRequest("\(latText == nil ? "lat" : "long"): lat and long go together")
            }
            guard let lat = Double(latText), lat.isFinite else { throw .badRequest("lat: not a number") }
            guard let long = Double(longText), long.isFinite else { throw .badRequest("long: not a number") }
            latitude = lat
            longitude = long
        }
        let address = form.value("address_string") ?? form.value("address_id")
            ?? latText.flatMap { lat in longText.map { "\(lat),\($0)" } }
        guard let address else {
            throw .badRequest("missing location: give lat and long, address_string, or address_id")
        }
        return Location(address: address, latitude: latitude, longitude: longitude)
    }

    /// The citizen's name: surname first without a space for Chinese names, "first last" for Latin ones.
    static func name(first: String?, last: String?) -> String? {
        switch (first, last) {
        case (nil, nil): return nil
        case (let first?, nil): return first
        case (nil, let last?): return last
        case (let first?, let last?):
            let latin = (first + last).unicodeScalars.allSatisfy { $0.value < 0x2E80 }
            return latin ? "\(first) \(last)" : last + first
        }
    }

    /// The Open311 field that a refusal of `AppealDraft.validated` names.
    static func fieldName(_ field: String?) -> String {
        switch field {
        case nil: "request"
        case "citizen.phone": "phone"
        case "citizen.name": "first_name"
        case "body": "description"
        case "title": "attribute[title]"
        case "location.address", "location": "address_string"
        case "location.latitude": "lat"
        case "location.longitude": "long"
        case let field? where field.hasPrefix("attachments"): "media_url"
        case let field?: field
        }
    }
}
