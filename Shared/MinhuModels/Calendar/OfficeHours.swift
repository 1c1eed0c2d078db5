import Foundation

/// A jurisdiction's office hours on a working day, in local wall-clock time: one span, `opens..<closes`
/// (default 09:00–17:00; a lunch break is not modelled). Encoded as `{"opens": "09:00", "closes": "17:00"}`.
public struct OfficeHours: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Seconds after local midnight at which the office opens.
    public let opensAt: Int
    /// Seconds after local midnight at which the office closes (the close of office, when deadlines fall due).
    public let closesAt: Int

    /// 09:00–17:00.
    public static let standard = OfficeHours(validOpensAt: 9 * 3600, closesAt: 17 * 3600)

    /// Fails unless `0 <= opensAt < closesAt <= 86400`.
    public init?(opensAt: Int, closesAt: Int) {
        guard opensAt >= 0, opensAt < closesAt, closesAt <= 86_400 else { return nil }
        self.opensAt = opensAt
        self.closesAt = closesAt
    }

    /// Parses `HH:MM` times (`24:00` allowed for the close); fails for a malformed time or an empty span.
    public init?(opens: String, closes: String) {
        guard let open = OfficeHours.seconds(from: opens), let close = OfficeHours.seconds(from: closes) else {
            return nil
        }
        self.init(opensAt: open, closesAt: close)
    }

    private init(validOpensAt: Int, closesAt: Int) {
        self.opensAt = validOpensAt
        self.closesAt = closesAt
    }

    /// Length of a working day's office time, in seconds (8 h = 28,800 s by default).
    public var secondsPerDay: Int { closesAt - opensAt }

    /// `09:00–17:00`.
    public var description: String { "\(OfficeHours.text(opensAt))–\(OfficeHours.text(closesAt))" }

    private enum CodingKeys: String, CodingKey { case opens, closes }

    public init(from decoder: any Decoder) throws {
        try StrictKeys.refuseUnknown(in: decoder, allowed: ["opens", "closes"])
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let opens = try container.decode(String.self, forKey: .opens)
        let closes = try container.decode(String.self, forKey: .closes)
        guard let hours = OfficeHours(opens: opens, closes: closes) else {
            throw DecodingError.dataCorruptedError(
                forKey: .opens, in: container,
                debugDescription: "invalid office hours \(opens)–\(closes): expected HH:MM times, opening first")
        }
        self = hours
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(OfficeHours.text(opensAt), forKey: .opens)
        try container.encode(OfficeHours.text(closesAt), forKey: .closes)
    }

    /// `HH:MM` → seconds after midnight (00:00…24:00).
    static func seconds(from text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), minute < 60,
              hour < 24 || (hour == 24 && minute == 0) else { return nil }
        return hour * 3600 + minute * 60
    }

    static func text(_ seconds: Int) -> String {
        let hour = seconds / 3600
        let minute = seconds % 3600 / 60
        return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }
}
