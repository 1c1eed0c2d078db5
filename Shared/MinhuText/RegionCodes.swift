import Foundation

/// The regions a text names — prefecture-level cities (地级市) and, inside them, districts and counties (区/县/县级市) —
/// for telling apart appeals about the same kind of matter in different places of a province-wide corpus
/// ("投诉D市糖果KTV噪音扰民" is not the same hotspot as a KTV in M市, "投诉K9县二中强制补课" not the one at K3县二中).
///
/// A region is written `"K市"` for a city and `"K市>K3县"` for a district or county of it. Two sources, both cheap:
/// - **Administrative codes** as anonymised public data writes them: a capital letter for the prefecture and digits
///   for the county or district, `A市`, `A7县`, `K11县`, `J11市`, `B4区`; each names the prefecture of its letter
///   (`A7县` → `A市` and `A市>A7县`). A bare letter needs 市 (`E区` is a block of an estate, `B市场` a market).
/// - **The jurisdiction's own names**: a gazetteer district (or the city's name) names the gazetteer's city, and
///   a gazetteer district in the title names that district (added by `PlaceRecognizer.recognize(title:detail:)`).
///
/// Districts count from the title only: the title names where the matter is ("K9县二中强制补课"), while a district
/// in the detail is often only where the writer lives ("我是A7县居民" in a question about a city-wide subsidy).
///
/// Real names of other cities are not known without a national gazetteer, so with real text only the home city and
/// its districts are found.
///
/// ```swift
/// RegionCodes.find(in: "A7县星沙M9县城二期")        // ["A市", "M市"]
/// RegionCodes.districts(in: "A7县星沙M9县城二期")   // ["A市>A7县", "M市>M9县"]
/// ```
public enum RegionCodes {
    /// The cities named by administrative codes in `text`, sorted, without repeats.
    public static func find(in text: some StringProtocol) -> [String] {
        find(in: text.unicodeScalars.map(\.value))
    }

    /// The cities named by administrative codes in `raw` (Unicode scalars; full-width letters and digits count as
    /// ASCII), sorted, without repeats.
    public static func find(in raw: [UInt32]) -> [String] {
        let (_, codes) = scan(raw)
        return Set(codes.map(\.letter)).sorted().map { cityName($0) }
    }

    /// The districts and counties named by administrative codes in `text` (`"A市>A7县"`), sorted, without repeats.
    public static func districts(in text: some StringProtocol) -> [String] {
        let (s, codes) = scan(text.unicodeScalars.map(\.value))
        return Set(codes.filter { $0.end - $0.start > 1 }.map { c in
            district(String(String.UnicodeScalarView(s[c.start...c.end].compactMap(Unicode.Scalar.init))), in: cityName(c.letter))
        }).sorted()
    }

    private static func cityName(_ letter: UInt32) -> String { String(Character(Unicode.Scalar(letter)!)) + "市" }

    /// The text with full-width ASCII folded, and every code in it: its letter and where it lies (`start` the
    /// letter, `end` the suffix; digits between them make it a district or county code).
    private static func scan(_ raw: [UInt32]) -> (text: [UInt32], codes: [(letter: UInt32, start: Int, end: Int)]) {
        let s = raw.map { $0 >= 0xFF01 && $0 <= 0xFF5E ? $0 - 0xFEE0 : $0 }
        var found: [(letter: UInt32, start: Int, end: Int)] = []
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
            if named { found.append((c, i, j)) }
            i = j + 1
        }
        return (s, found)
    }

    /// The region of district `name` in `city` (`"A市>A7县"`).
    public static func district(_ name: String, in city: String) -> String { city + separator + name }

    /// Separates a city from its district in a region.
    public static let separator = ">"

    /// True when the texts are about different places: both name a city and they share none, or both name a
    /// district and they share none. (The lists hold a region or four, so they are compared pairwise, without
    /// allocating.)
    public static func conflict(_ a: [String], _ b: [String]) -> Bool {
        guard !a.isEmpty, !b.isEmpty else { return false }
        return disjoint(a, b, districts: false) || disjoint(a, b, districts: true)
    }

    /// True when `a` and `b` both hold regions of the level (cities, or districts) and share none of them.
    private static func disjoint(_ a: [String], _ b: [String], districts: Bool) -> Bool {
        var aHas = false, bHas = false
        for x in a where x.contains(separator) == districts {
            aHas = true
            if b.contains(x) { return false }
        }
        guard aHas else { return false }
        for y in b where y.contains(separator) == districts { bHas = true; break }
        return bHas
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
