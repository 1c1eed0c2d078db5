import Foundation
import MinhuModels
import PostgresNIO

/// One appeal as Open311's public `requests` show it: masked (no citizen data; long digit runs in the text, such
/// as phone numbers, masked), with the status mapped by `Open311Status`.
public struct Open311ServiceRequest: Sendable, Hashable {
    public var caseNumber: String
    public var status: AppealStatus
    public var closed: Bool
    public var closureReason: String?
    public var statusNotes: String?
    public var serviceCode: String?
    public var serviceName: String?
    public var body: String
    public var agency: String?
    public var requestedAt: Date
    public var updatedAt: Date
    public var expectedAt: Date?
    public var location: Location?
    public var mediaURL: String?

    public var open311Status: Open311Status {
        Open311Status.map(status, closed: closed, closureReason: closureReason)
    }

    /// Reads a row of the columns `Open311RequestStore` selects.
    init(row: PostgresRow) throws {
        let columns = row.makeRandomAccess()
        caseNumber = try columns["case_number"].decode(String.self)
        status = AppealStatus(rawValue: try columns["status"].decode(String.self)) ?? .received
        closed = try columns["closed"].decode(Bool.self)
        closureReason = try columns["closure_reason"].decode(String?.self)
        statusNotes = try columns["status_notes"].decode(String?.self)
        serviceCode = try columns["service_code"].decode(String?.self)
        let levels = [try columns["level1"].decode(String?.self), try columns["level2"].decode(String?.self),
                      try columns["level3"].decode(String?.self)].compactMap { $0 }
        let category = try columns["category"].decode(String?.self)
        serviceName = levels.last ?? category?.split(separator: "/").last.map(String.init)
        body = try columns["body"].decode(String.self)
        agency = try columns["agency"].decode(String?.self)
        requestedAt = try columns["received_at"].decode(Date.self)
        updatedAt = try columns["updated_at"].decode(Date.self)
        expectedAt = try columns["due_at"].decode(Date?.self)
        location = try columns["location"].decode(String?.self)
            .flatMap { try? MinhuJSON.decode(Location.self, from: Data($0.utf8)) }
        mediaURL = try columns["media_url"].decode(String?.self)
    }

    /// The full public entry of `requests.(json|xml)`.
    public func node(dates: Open311Dates) -> Open311Node {
        let mapped = open311Status
        return .object([
            .init("service_request_id", .string(caseNumber)),
            .init("status", .string(mapped.status.rawValue)),
            .init("minhu_status", .string(mapped.minhuStatus)),
            .init("status_notes", .optional(statusNotes.map(Self.maskDigits))),
            .init("service_name", .optional(serviceName)),
            .init("service_code", .optional(serviceCode)),
            .init("description", .string(Self.publicDescription(body))),
            .init("agency_responsible", .optional(agency)),
            .init("service_notice", .string("受理编号：\(caseNumber)，当前状态：\(status.chineseName)")),
            .init("requested_datetime", .string(dates.format(requestedAt))),
            .init("updated_datetime", .string(dates.format(updatedAt))),
            .init("expected_datetime", .optional(expectedAt.map(dates.format))),
            .init("address", .optional(location.map { Self.maskDigits($0.address) })),
            .init("address_id", .null),
            .init("zipcode", .null),
            .init("lat", .optional(location?.latitude)),
            .init("long", .optional(location?.longitude)),
            .init("media_url", .optional(mediaURL)),
        ])
    }

    /// The entry of `servicerequestupdates.(json|xml)`.
    public func updateNode(dates: Open311Dates) -> Open311Node {
        let mapped = open311Status
        return .object([
            .init("service_request_id", .string(caseNumber)),
            .init("status", .string(mapped.status.rawValue)),
            .init("minhu_status", .string(mapped.minhuStatus)),
            .init("status_notes", .optional(statusNotes.map(Self.maskDigits))),
            .init("updated_datetime", .string(dates.format(updatedAt))),
            .init("agency_responsible", .optional(agency)),
            .init("expected_datetime", .optional(expectedAt.map(dates.format))),
        ])
    }

    /// The longest description the public feed shows, in characters: a page of 1,000 requests then stays a few
    /// megabytes, where bodies of up to 20,000 characters would make it tens.
    public static let publicDescriptionLimit = 2_000

    /// `body` masked, and cut at `publicDescriptionLimit` characters with "……" when longer.
    public static func publicDescription(_ body: String) -> String {
        guard body.count > publicDescriptionLimit else { return maskDigits(body) }
        return maskDigits(String(body.prefix(publicDescriptionLimit))) + "……"
    }

    /// `text` with every run of 7 or more digits (ASCII or full-width; phone, id card and account numbers)
    /// masked by `Citizen.maskPhone`, so public answers never carry a full number. A run may be written in groups
    /// with up to three separators between them (spaces, dashes, dots, brackets, slashes, commas, 、, _ and +:
    /// `138 0013 8000`, `138 - 0013 - 8000`, `138，0013，8000`, `+86 10 8765 4321`, `(0710)3456789`) as long as one
    /// group holds three digits or more (a list such as `1、2、3、4、5、6、7` is no number). Dates (`2024-03-15 17`,
    /// `2019.8.7`, `15/03/2024`) and amounts written with thousands separators (`1,234,567`) stay as they are.
    public static func maskDigits(_ text: String) -> String {
        var output = ""
        var span = ""          // the digits and separators of the current run, as written
        var digits = ""        // its digits, ASCII
        var groups: [Int] = [] // digits per group
        var separators = ""    // the separators inside the run
        var pending = ""       // separators after the last digit, not yet known to be inside the run
        func flush() {
            let masked = digits.count >= 7 && groups.contains { $0 >= 3 }
                && !isDate(groups, digits: digits) && !isAmount(groups, separators: separators)
            output += (masked ? Citizen.maskPhone(digits) : span) + pending
            span = ""; digits = ""; groups = []; separators = ""; pending = ""
        }
        for character in text {
            guard character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first else {
                flush()
                output.append(character)
                continue
            }
            switch scalar.value {
            case 0x30...0x39, 0xFF10...0xFF19:
                if groups.isEmpty || !pending.isEmpty { groups.append(0) }
                span += pending
                separators += pending
                pending = ""
                span.append(character)
                let ascii = scalar.value >= 0xFF10 ? scalar.value - 0xFF10 + 0x30 : scalar.value  // full-width → ASCII
                digits.unicodeScalars.append(Unicode.Scalar(ascii)!)
                groups[groups.count - 1] += 1
            case 0x20, 0x3000, 0x2D, 0x2010...0x2015, 0xFF0D, 0x2E, 0xFF0E, 0x28, 0x29, 0xFF08, 0xFF09, 0x2F, 0xFF0F,
                 0x2C, 0xFF0C, 0x3001, 0x5F, 0x2B:
                if !span.isEmpty && pending.count < 3 {
                    pending.append(character)
                } else {
                    flush()
                    output.append(character)
                }
            default:
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }

    /// A year (1900–2099) then month, day and perhaps hour and minute of one or two digits each, or day and month
    /// then the year.
    static func isDate(_ groups: [Int], digits: String) -> Bool {
        guard groups.count >= 2 else { return false }
        func isYear(_ text: Substring) -> Bool { Int(text).map { (1900...2099).contains($0) } ?? false }
        if groups[0] == 4, isYear(digits.prefix(4)), groups.dropFirst().allSatisfy({ $0 <= 2 }) { return true }
        if groups.count >= 3, groups.last == 4, isYear(digits.suffix(4)), groups.dropLast().allSatisfy({ $0 <= 2 }) {
            return true
        }
        return false
    }

    /// An amount: comma-separated groups of exactly three digits after a first of one to three.
    static func isAmount(_ groups: [Int], separators: String) -> Bool {
        groups.count >= 2 && (1...3).contains(groups[0]) && groups.dropFirst().allSatisfy { $0 == 3 }
            && !separators.isEmpty && separators.allSatisfy { $0 == "," || $0 == "，" }
    }
}
