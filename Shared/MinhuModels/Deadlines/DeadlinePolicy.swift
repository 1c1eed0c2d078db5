import Foundation

/// How long a policy allows.
///
/// JSON: `{"workingDays": 5}`, `{"hours": 2}` or `{"sameWorkingDay": true}` (exactly one key).
public enum DeadlineLimit: Hashable, Sendable, Codable, CustomStringConvertible {
    /// N working days counted from the next working day after arrival, due at the close of office on the Nth.
    case workingDays(Int)
    /// N calendar hours after arrival, nights and off days included.
    case hours(Int)
    /// 即办: the close of office of the working day it arrives on, or of the next working day when it arrives at
    /// or after the close of office or on an off day.
    case sameWorkingDay

    /// True for limits counted in working time (warnings and pauses are then measured in working time too).
    public var isWorkingTime: Bool {
        switch self {
        case .workingDays, .sameWorkingDay: true
        case .hours: false
        }
    }

    /// `5 working days`, `2 hours`, `same working day`.
    public var description: String {
        switch self {
        case .workingDays(let n): n == 1 ? "1 working day" : "\(n) working days"
        case .hours(let n): n == 1 ? "1 hour" : "\(n) hours"
        case .sameWorkingDay: "same working day"
        }
    }

    private enum CodingKeys: String, CodingKey { case workingDays, hours, sameWorkingDay }

    /// The longest limits a policy file may set: a year of working days, a year of hours (checked when a file is
    /// read, `DeadlinePolicySet(json:source:)`, not when a stored clock's limit is decoded).
    public static let maxWorkingDays = 365
    public static let maxHours = 8_760

    public init(from decoder: any Decoder) throws {
        try StrictKeys.refuseUnknown(in: decoder, allowed: ["workingDays", "hours", "sameWorkingDay"])
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let keys = container.allKeys
        guard keys.count == 1, let key = keys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "a limit needs exactly one of workingDays, hours, sameWorkingDay"))
        }
        switch key {
        case .workingDays, .hours:
            let n = try container.decode(Int.self, forKey: key)
            guard n >= 1 else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                       debugDescription: "\(key.rawValue) must be at least 1, got \(n)")
            }
            self = key == .workingDays ? .workingDays(n) : .hours(n)
        case .sameWorkingDay:
            guard try container.decode(Bool.self, forKey: key) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                       debugDescription: "sameWorkingDay must be true")
            }
            self = .sameWorkingDay
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .workingDays(let n): try container.encode(n, forKey: .workingDays)
        case .hours(let n): try container.encode(n, forKey: .hours)
        case .sameWorkingDay: try container.encode(true, forKey: .sameWorkingDay)
        }
    }
}

/// A named deadline: e.g. `ordinary` = 5 working days.
public struct DeadlinePolicy: Hashable, Sendable, Codable {
    /// Unique within a policy set; rules refer to it. Carried on events so a due time can be explained.
    public var name: String
    public var limit: DeadlineLimit
    /// Free text for people (e.g. `一般诉求：5 个工作日`).
    public var description: String?

    public init(name: String, limit: DeadlineLimit, description: String? = nil) {
        self.name = name
        self.limit = limit
        self.description = description
    }

    private enum CodingKeys: String, CodingKey { case name, limit, description }

    public init(from decoder: any Decoder) throws {
        try StrictKeys.refuseUnknown(in: decoder, allowed: ["name", "limit", "description"])
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name),
                  limit: try container.decode(DeadlineLimit.self, forKey: .limit),
                  description: try container.decodeIfPresent(String.self, forKey: .description))
    }
}

/// Extensions (延期): how many working days one may add and how many per round of handling.
public struct ExtensionRule: Hashable, Sendable, Codable {
    /// The most working days one extension may add (10 by default).
    public var maxWorkingDays: Int
    /// How many extensions one round (办理轮次) may have (1 by default).
    public var maxPerRound: Int

    public static let standard = ExtensionRule(maxWorkingDays: 10, maxPerRound: 1)

    public init(maxWorkingDays: Int, maxPerRound: Int) {
        self.maxWorkingDays = maxWorkingDays
        self.maxPerRound = maxPerRound
    }

    private enum CodingKeys: String, CodingKey { case maxWorkingDays, maxPerRound }

    public init(from decoder: any Decoder) throws {
        try StrictKeys.refuseUnknown(in: decoder, allowed: ["maxWorkingDays", "maxPerRound"])
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(maxWorkingDays: try container.decode(Int.self, forKey: .maxWorkingDays),
                  maxPerRound: try container.decode(Int.self, forKey: .maxPerRound))
    }

    /// Whether a request may be approved.
    public enum Check: Hashable, Sendable {
        case allowed
        /// Fewer than 1 working day requested.
        case notPositive
        /// More than ``ExtensionRule/maxWorkingDays``.
        case tooLong(max: Int)
        /// The round already has ``ExtensionRule/maxPerRound`` extensions.
        case limitReached(perRound: Int)
    }

    /// Checks a request for `workingDays` more working days when the round already had `extensionsThisRound`.
    public func check(workingDays: Int, extensionsThisRound: Int) -> Check {
        if workingDays < 1 { return .notPositive }
        if workingDays > maxWorkingDays { return .tooLong(max: maxWorkingDays) }
        if extensionsThisRound >= maxPerRound { return .limitReached(perRound: maxPerRound) }
        return .allowed
    }
}
