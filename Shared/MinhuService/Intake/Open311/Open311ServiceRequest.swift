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

    /// `text` with every number of 7 or more digits that may be a phone, id card or account number (ASCII or
    /// full-width digits) masked by `Citizen.maskPhone`, so public answers never carry a full number.
    ///
    /// A number may be written in groups. Spaces, dashes, dots, brackets, `_` and `+` join groups into one number
    /// (`138 0013 8000`, `138 - 0013 - 8000`, `(0710)3456789`, `+86 10 8765 4321`); it is masked when its later
    /// groups all hold three digits or more, or when it holds 10 to 13 digits and ends with a group of four (`138 00
    /// 13 8000`). `、`, `，`, `,` and `/` separate the items of a list (`101、201、301室`, `2022/2023学年`), so each
    /// item is judged on its own, unless the whole run reads as one phone number written with them
    /// (`138/0013/8000`, `138，0013，8000`: groups of three or more digits, the last of four, 7 to 13 digits, not a
    /// list of years). Dates (`2024-03-15 17`, `2019.8.7`) and amounts (`1,234,567`) stay as written. A run that is
    /// not one number as a whole has its numbers masked part by part (`13800138000 2号楼`, `maskedParts`). Any
    /// Unicode space joins groups like a plain one (`138\u{A0}0013\u{A0}8000`).
    public static func maskDigits(_ text: String) -> String {
        var output = ""
        var run: [(separator: String, digits: String, written: String)] = [] // groups, each after its separator
        var pending = ""       // separators after the last digit, not yet known to be inside the run
        func flush() {
            output += maskedRun(run) + pending
            run = []
            pending = ""
        }
        for character in text {
            guard character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first else {
                flush()
                output.append(character)
                continue
            }
            switch scalar.value {
            case 0x30...0x39, 0xFF10...0xFF19:
                if run.isEmpty || !pending.isEmpty {
                    run.append((pending, "", ""))
                    pending = ""
                }
                let ascii = scalar.value >= 0xFF10 ? scalar.value - 0xFF10 + 0x30 : scalar.value  // full-width → ASCII
                run[run.count - 1].digits.unicodeScalars.append(Unicode.Scalar(ascii)!)
                run[run.count - 1].written.append(character)
            case 0x20, 0xA0, 0x2000...0x200A, 0x202F, 0x205F, 0x3000, 0x2D, 0x2010...0x2015, 0xFF0D, 0x2E, 0xFF0E,
                 0x28, 0x29, 0xFF08, 0xFF09, 0x2F, 0xFF0F, 0x2C, 0xFF0C, 0x3001, 0x5F, 0x2B:
                if !run.isEmpty && pending.count < 3 {
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

    /// Characters that separate the items of a list rather than the groups of one number.
    static let listSeparators: Set<Character> = ["、", "，", ",", "/", "／"]

    /// A run of digit groups, masked as one number, or item by item.
    static func maskedRun(_ run: [(separator: String, digits: String, written: String)]) -> String {
        guard !run.isEmpty else { return "" }
        let groups = run.map(\.digits.count)
        let digits = run.map(\.digits).joined()
        let separators = run.dropFirst().map(\.separator).joined()
        if isNumber(groups, digits: digits, separators: separators) { return Citizen.maskPhone(digits) }
        let listed = run.dropFirst().contains { group in group.separator.contains(where: listSeparators.contains) }
        guard listed else { return maskedParts(run) }
        // A list: one phone number written with list separators, else each item on its own.
        let years = run.allSatisfy { isYear(Substring($0.digits)) }
        if digits.count >= 7 && digits.count <= 13 && groups.allSatisfy({ $0 >= 3 }) && groups.last! >= 4 && !years {
            return Citizen.maskPhone(digits)
        }
        var items: [[(separator: String, digits: String, written: String)]] = [[]]
        for group in run {
            if !items[items.count - 1].isEmpty && group.separator.contains(where: listSeparators.contains) {
                items.append([])
            }
            items[items.count - 1].append(group)
        }
        return items.enumerated().map { index, item in
            let lead = index == 0 ? "" : item[0].separator
            let body = [(separator: "", digits: item[0].digits, written: item[0].written)] + item.dropFirst()
            let itemGroups = body.map(\.digits.count), itemDigits = body.map(\.digits).joined()
            let itemSeparators = body.dropFirst().map(\.separator).joined()
            return lead + (isNumber(itemGroups, digits: itemDigits, separators: itemSeparators)
                ? Citizen.maskPhone(itemDigits) : maskedParts(body))
        }.joined()
    }

    /// A run that is not one number as a whole (a phone number beside a house number, a date or an extension:
    /// `13800138000 2号楼`, `2024-03-15 13800138000`, `0710-3456789-8`): its parts that are numbers masked, each
    /// the longest one from the left, the rest as written. The groups of a date (`2024.3.15`) are never part of
    /// a number, and a part does not start with a group of one or two digits when the number that follows it ends
    /// at the same place.
    /// The most groups one masked part spans: a phone number is written in at most five or six (`+86 10 8765
    /// 4321`, `138 00 13 8000`).
    static let maximumPartGroups = 8

    static func maskedParts(_ run: [(separator: String, digits: String, written: String)]) -> String {
        let dates = dateGroups(run.map(\.digits))
        /// The end (exclusive) of the longest number starting at group `start`, if any, within the groups before the
        /// next date and at most `maximumPartGroups` long (so a run of a thousand one-digit groups costs linear time).
        func numberEnd(from start: Int) -> Int? {
            guard start < run.count, !dates.contains(start) else { return nil }
            let limit = min((start..<run.count).first(where: dates.contains) ?? run.count, start + maximumPartGroups)
            for end in stride(from: limit, to: start, by: -1) {
                let part = run[start..<end]
                if isNumber(part.map(\.digits.count), digits: part.map(\.digits).joined(),
                            separators: part.dropFirst().map(\.separator).joined()) {
                    return end
                }
            }
            return nil
        }
        var output = ""
        var index = 0
        while index < run.count {
            if let end = numberEnd(from: index),
               run[index].digits.count > 2 || numberEnd(from: index + 1) != end {
                output += run[index].separator + Citizen.maskPhone(run[index..<end].map(\.digits).joined())
                index = end
            } else {
                output += run[index].separator + run[index].written
                index += 1
            }
        }
        return output
    }

    /// Whether groups joined by number separators are a number to mask: 7 or more digits, not a date (an amount's
    /// thousands separators are list separators, so it never gets here whole),
    /// and later groups of three digits or more, or 10 to 13 digits ending with a group of four.
    static func isNumber(_ groups: [Int], digits: String, separators: String) -> Bool {
        guard digits.count >= 7, !isDate(groups, digits: digits),
              !separators.contains(where: listSeparators.contains) else { return false }
        return groups.dropFirst().allSatisfy { $0 >= 3 }
            || ((10...13).contains(digits.count) && groups.count <= 4 && (groups.last ?? 0) >= 4)
    }

    /// A year (1900–2099) then month, day and perhaps hour and minute of one or two digits each, or day and month
    /// then the year.
    static func isDate(_ groups: [Int], digits: String) -> Bool {
        guard groups.count >= 2 else { return false }
        if groups[0] == 4, isYear(digits.prefix(4)), groups.dropFirst().allSatisfy({ $0 <= 2 }) { return true }
        if groups.count >= 3, groups.last == 4, isYear(digits.suffix(4)), groups.dropLast().allSatisfy({ $0 <= 2 }) {
            return true
        }
        return false
    }

    /// The indices of the groups that read as dates: a year then one to four groups of one or two digits (month,
    /// day, hour, minute), or one or two such groups then a year.
    static func dateGroups(_ groups: [String]) -> Set<Int> {
        var dates = Set<Int>()
        for (index, group) in groups.enumerated() where isYear(Substring(group)) {
            let after = groups[(index + 1)...].prefix(4).prefix { $0.count <= 2 }.count
            let before = groups[..<index].suffix(2).reversed().prefix { $0.count <= 2 }.count
            guard after > 0 || before > 0 else { continue }
            dates.formUnion((index - (after > 0 ? 0 : before))...(index + after))
        }
        return dates
    }

    /// Four digits from 1900 to 2099.
    static func isYear(_ text: Substring) -> Bool {
        text.count == 4 && (Int(text).map { (1900...2099).contains($0) } ?? false)
    }
}
