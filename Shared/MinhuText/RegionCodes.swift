import Foundation

/// The prefecture-level regions (cities, 地级市) a text names, for telling apart appeals about the same matter in
/// different cities of a province-wide corpus ("投诉D市糖果KTV噪音扰民" is not the same hotspot as a KTV in M市).
///
/// Two sources, both cheap:
/// - **Administrative codes** as anonymised public data writes them: a capital letter for the prefecture and digits
///   for the county or district, `A市`, `A7县`, `K11县`, `J11市`, `B4区`; each names the prefecture of its letter
///   (`A7县` → `A市`). A bare letter needs 市 (`E区` is a block of an estate, `B市场` a market).
/// - **The jurisdiction's own names**: a gazetteer district (or the city's name) names the gazetteer's city
///   (added by `PlaceRecognizer`).
///
/// Real names of other cities are not known without a national gazetteer, so with real text only the home city is
/// found, and nothing is ever kept apart by it.
///
/// ```swift
/// RegionCodes.find(in: Array("A7县星沙M9县城二期".unicodeScalars.map(\.value)))   // ["A市", "M市"]
/// ```
public enum RegionCodes {
    /// The prefectures named by administrative codes in `text`, sorted, without repeats.
    public static func find(in text: some StringProtocol) -> [String] {
        find(in: text.unicodeScalars.map(\.value))
    }

    /// The prefectures named by administrative codes in `raw` (Unicode scalars; full-width letters and digits
    /// count as ASCII), sorted, without repeats.
    public static func find(in raw: [UInt32]) -> [String] {
        let s = raw.map { $0 >= 0xFF01 && $0 <= 0xFF5E ? $0 - 0xFEE0 : $0 }
        var letters: Set<UInt32> = []
        var i = 0
        while i < s.count {
            let c = s[i]
            guard isCapital(c), i == 0 || !isASCIIAlphanumeric(s[i - 1]) else { i += 1; continue }
            var j = i + 1
            while j < s.count, isDigit(s[j]) { j += 1 }
            let digits = j - i - 1
            guard j < s.count, digits <= 3 else { i = j; continue }
            let suffix = s[j]
            let named: Bool
            switch suffix {
            case city: named = j + 1 >= s.count || s[j + 1] != market
            case district, county: named = digits > 0
            default: named = false
            }
            if named { letters.insert(c) }
            i = j + 1
        }
        return letters.sorted().map { String(Character(Unicode.Scalar($0)!)) + "市" }
    }

    /// True when both lists are non-empty and share no region: the texts are about different cities. (The lists
    /// hold a region or two, so they are compared pairwise, without allocating.)
    public static func conflict(_ a: [String], _ b: [String]) -> Bool {
        guard !a.isEmpty, !b.isEmpty else { return false }
        return !a.contains { b.contains($0) }
    }

    private static let city: UInt32 = 0x5E02      // 市
    private static let district: UInt32 = 0x533A  // 区
    private static let county: UInt32 = 0x53BF    // 县
    private static let market: UInt32 = 0x573A    // 场

    private static func isCapital(_ c: UInt32) -> Bool { c >= 0x41 && c <= 0x5A }
    private static func isDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isASCIIAlphanumeric(_ c: UInt32) -> Bool {
        isCapital(c) || isDigit(c) || (c >= 0x61 && c <= 0x7A)
    }
}
