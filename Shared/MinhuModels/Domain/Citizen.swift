import Foundation

/// The person behind an appeal, with full contact details.
///
/// Full contact details never travel in events: events carry `MaskedCitizen`. Only messages that must reach the
/// citizen (a department's assignment, an outbound message to the citizen's channel) carry the full phone.
public struct Citizen: Hashable, Sendable, Codable {
    /// Name as given; nil when the citizen did not give one or asked to stay anonymous.
    public var name: String?
    /// Canonical phone digits (see `normalizePhone`), e.g. 13800138000 or 07103456789.
    public var phone: String
    /// The channel the citizen prefers to be answered on, if it differs from the one they used.
    public var preferredChannel: Channel?
    /// 匿名: the department must not learn who the citizen is beyond what it needs to reply.
    public var anonymous: Bool

    /// Normalises `phone` when it can (otherwise keeps it as given).
    public init(name: String? = nil, phone: String, preferredChannel: Channel? = nil, anonymous: Bool = false) {
        self.name = name
        self.phone = Citizen.normalizePhone(phone) ?? phone
        self.preferredChannel = preferredChannel
        self.anonymous = anonymous
    }

    private enum CodingKeys: String, CodingKey { case name, phone, preferredChannel, anonymous }

    /// Decodes; an omitted `anonymous` means false. The phone is kept as sent (intake normalises and validates it).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        phone = try container.decode(String.self, forKey: .phone)
        preferredChannel = try container.decodeIfPresent(Channel.self, forKey: .preferredChannel)
        anonymous = try container.decodeIfPresent(Bool.self, forKey: .anonymous) ?? false
    }

    /// The citizen as events carry them: masked phone and name, nothing that identifies them fully.
    public var masked: MaskedCitizen {
        MaskedCitizen(name: anonymous ? nil : name.map(Citizen.maskName), phone: Citizen.maskPhone(phone),
                      preferredChannel: preferredChannel, anonymous: anonymous)
    }

    /// Canonical digits of a Chinese phone number, or nil when it is not one.
    ///
    /// Accepts full-width digits, spaces, dashes, dots and parentheses; drops the country code (`+86`, `0086`,
    /// `86` before a mobile number) and a trunk `0` before a mobile number; restores the trunk `0` of a landline
    /// written internationally (`+86 10 1234 5678` → `01012345678`).
    /// Valid results: mobile `1[3-9]` + 9 digits; landline `0` + area code + local number (10–12 digits);
    /// a local landline number without area code (7–8 digits).
    ///
    /// ```swift
    /// Citizen.normalizePhone("+86 138-0013-8000") // "13800138000"
    /// ```
    public static func normalizePhone(_ raw: String) -> String? {
        var digits = ""
        var sawPlus = false
        for scalar in raw.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: digits.unicodeScalars.append(scalar)
            case 0xFF10...0xFF19: digits.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFF10 + 0x30)!)
            case 0x2B, 0xFF0B: // + ＋
                guard digits.isEmpty, !sawPlus else { return nil }
                sawPlus = true
            case 0x20, 0x3000, 0x2D, 0x2010...0x2015, 0xFF0D, 0x2E, 0x28, 0x29, 0xFF08, 0xFF09, 0x09:
                continue
            default:
                return nil
            }
        }
        var international = false
        if sawPlus {
            guard digits.hasPrefix("86") else { return nil }
            digits.removeFirst(2)
            international = true
        } else if digits.hasPrefix("0086") {
            digits.removeFirst(4)
            international = true
        } else if digits.hasPrefix("86"), digits.count == 13, isMobile(String(digits.dropFirst(2))) {
            digits.removeFirst(2)
        }
        if international, !isMobile(digits), !digits.hasPrefix("0"), (9...11).contains(digits.count) {
            digits = "0" + digits
        }
        if digits.hasPrefix("0"), isMobile(String(digits.dropFirst())) {
            digits.removeFirst()
        }
        if isMobile(digits) { return digits }
        if digits.hasPrefix("0"), !digits.hasPrefix("00"), (10...12).contains(digits.count) { return digits }
        if !international, !digits.hasPrefix("0"), !digits.hasPrefix("1"), (7...8).contains(digits.count) {
            return digits
        }
        return nil
    }

    /// True for an 11-digit mainland mobile number, `1[3-9]` + 9 digits.
    public static func isMobile(_ digits: String) -> Bool {
        let bytes = Array(digits.utf8)
        return bytes.count == 11 && bytes[0] == 0x31 && (0x33...0x39).contains(bytes[1])
            && bytes.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// The phone as shown in events, logs and to people who must not see it: first 3 and last 4 digits of numbers
    /// of 11 digits or more (`138****1234`), only the last 2 of shorter ones (`****78`).
    ///
    /// Normalises first when it can; otherwise masks the digits it finds. Never returns the full number.
    public static func maskPhone(_ phone: String) -> String {
        let digits = normalizePhone(phone) ?? String(phone.unicodeScalars.filter { (0x30...0x39).contains($0.value) })
        if digits.isEmpty { return "****" }
        if digits.count >= 11 { return digits.prefix(3) + "****" + digits.suffix(4) }
        return "****" + digits.suffix(min(2, digits.count / 3))
    }

    /// The name as events carry it: the first character (the surname) then `*` per remaining character, e.g.
    /// 张** for 张三丰; a single-character name becomes `*`.
    public static func maskName(_ name: String) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard let first = trimmed.first else { return "" }
        guard trimmed.count > 1 else { return "*" }
        return String(first) + String(repeating: "*", count: trimmed.count - 1)
    }
}
