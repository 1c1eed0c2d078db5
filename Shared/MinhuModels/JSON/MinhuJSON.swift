import Foundation

/// The one JSON configuration of every Minhu message body and API document: snake_case keys, ISO 8601 UTC dates
/// with milliseconds on output (with or without fractions, any offset, accepted on input), sorted keys, unknown
/// fields ignored.
///
/// Swift properties are camelCase without acronyms (`appealId`, `trackingUrl`), so the key strategies map them
/// both ways; an explicit snake_case `CodingKeys` raw value would not survive `convertFromSnakeCase`.
///
/// ```swift
/// let body = try MinhuJSON.encode(payload)
/// do { let event = try MinhuJSON.decode(AppealReceived.self, from: body) }
/// catch { deadLetter(reason: MinhuJSON.describe(error)) }  // "missing required field 'case_number'"
/// ```
public enum MinhuJSON {
    /// A new encoder with Minhu's settings.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatDate(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A new decoder with Minhu's settings.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseDate(text) else {
                throw DecodingError.dataCorruptedError(in: container,
                                                       debugDescription: "invalid date-time '\(text)'")
            }
            return date
        }
        return decoder
    }

    /// Encodes `value` with `encoder()`.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        try encoder().encode(value)
    }

    /// Decodes a `T` from `data` with `decoder()`.
    ///
    /// Where Foundation reports a number that does not fit its field (`"round": 1.5`) only as invalid JSON, this
    /// finds the field, so that `describe` can name it.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try decoder().decode(type, from: data)
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            if let located = locateUnfitNumber(type, in: data) { throw located }
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "body is not valid JSON",
                                                    underlyingError: context.underlyingError))
        }
    }

    /// Replaces each non-integral or huge number with 0 in turn; the one whose replacement changes the failure is
    /// the field that expected an integer.
    private static func locateUnfitNumber<T: Decodable>(_ type: T.Type, in data: Data) -> DecodingError? {
        guard let root = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            return nil
        }
        var candidates: [[JSONPathKey]] = []
        func collect(_ value: Any, _ path: [JSONPathKey]) {
            if let object = value as? [String: Any] {
                for (key, child) in object { collect(child, path + [JSONPathKey(key)]) }
            } else if let array = value as? [Any] {
                for (index, child) in array.enumerated() { collect(child, path + [JSONPathKey(index)]) }
            } else if let number = value as? NSNumber, !(value is String) {
                let double = number.doubleValue
                if double.rounded() != double || abs(double) >= 9.2e18 { candidates.append(path) }
            }
        }
        collect(root, [])
        for path in candidates {
            guard let patched = try? JSONSerialization.data(withJSONObject: replacing(path[...], in: root, with: 0),
                                                            options: [.fragmentsAllowed]) else { continue }
            do {
                _ = try decoder().decode(type, from: patched)
            } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
                continue
            } catch {}
            return DecodingError.dataCorrupted(.init(codingPath: path,
                                                     debugDescription: "Parsed JSON number does not fit in Int."))
        }
        return nil
    }

    private static func replacing(_ path: ArraySlice<JSONPathKey>, in value: Any, with replacement: Any) -> Any {
        guard let key = path.first else { return replacement }
        if var object = value as? [String: Any], let child = object[key.stringValue] {
            object[key.stringValue] = replacing(path.dropFirst(), in: child, with: replacement)
            return object
        }
        if var array = value as? [Any], let index = key.intValue, array.indices.contains(index) {
            array[index] = replacing(path.dropFirst(), in: array[index], with: replacement)
            return array
        }
        return value
    }

    /// `2025-06-09T01:30:00.000Z`: UTC, milliseconds, rounded to the nearest. (Foundation's formatter cuts the
    /// fraction off, and a parsed `.002` is a hair below it, so a date decoded and encoded again used to lose a
    /// millisecond about every other time: a message re-sent was not the message received.)
    public static func formatDate(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        guard milliseconds.isFinite, abs(milliseconds) < 1e15 else { return date.formatted(withFractions) }
        let total = Int64(milliseconds)
        let (seconds, fraction) = (total.dividedFlooring(by: 1000), total - total.dividedFlooring(by: 1000) * 1000)
        let whole = Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(withoutFractions)
        return String(whole.dropLast()) + "." + String(String(fraction + 1000).dropFirst()) + "Z"
    }

    /// Parses an RFC 3339 date-time (`2025-06-09T10:30:00.250+08:00`: fractional seconds optional, `Z` or
    /// `±hh:mm`, `T` and `Z` in either case), as JSON Schema's `date-time` format reads it; nil for anything else.
    ///
    /// Checked field by field before Foundation parses it (since 2026-11-25): Foundation's ISO 8601 parser rolled
    /// 2025-02-30 over to 2 March, took `+0800`, `+08`, `GMT` and `24:00:00`, and refused a fraction of ten digits or
    /// more, so an integrator validating against the published schema and Minhu disagreed.
    public static func parseDate(_ text: String) -> Date? {
        guard let canonical = rfc3339(text) else { return nil }
        if let date = try? withFractions.parse(canonical) { return date }
        if let date = try? withoutFractions.parse(canonical) { return date }
        return nil
    }

    /// `text` upper-cased, its fraction cut to 9 digits, when it is an RFC 3339 date-time with real calendar and
    /// clock values; nil otherwise.
    static func rfc3339(_ text: String) -> String? {
        let scalars = Array(text.uppercased().utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= scalars.count else { return nil }
            var value = 0
            for byte in scalars[start..<(start + count)] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func byte(_ index: Int, is expected: Character) -> Bool {
            index < scalars.count && scalars[index] == expected.asciiValue
        }
        guard let year = number(0, 4), byte(4, is: "-"), let month = number(5, 2), byte(7, is: "-"),
              let day = number(8, 2), byte(10, is: "T"), let hour = number(11, 2), byte(13, is: ":"),
              let minute = number(14, 2), byte(16, is: ":"), let second = number(17, 2),
              (1...12).contains(month), (1...LocalDate.daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60 else { return nil }
        var index = 19
        var fraction: [UInt8] = []
        if byte(index, is: ".") {
            index += 1
            while index < scalars.count, (0x30...0x39).contains(scalars[index]) {
                fraction.append(scalars[index])
                index += 1
            }
            guard !fraction.isEmpty else { return nil }
        }
        if byte(index, is: "Z") {
            index += 1
        } else if byte(index, is: "+") || byte(index, is: "-") {
            guard let offsetHours = number(index + 1, 2), byte(index + 3, is: ":"),
                  let offsetMinutes = number(index + 4, 2), offsetHours < 24, offsetMinutes < 60 else { return nil }
            index += 6
        } else {
            return nil
        }
        guard index == scalars.count else { return nil }
        var canonical = Array(scalars[0..<19])
        if !fraction.isEmpty { canonical += [UInt8(ascii: ".")] + fraction.prefix(9) }
        canonical += scalars[(19 + (fraction.isEmpty ? 0 : fraction.count + 1))...]
        return String(decoding: canonical, as: UTF8.self)
    }

    private static let withFractions = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFractions = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)

    /// The snake_case form of a camelCase key, as `convertToSnakeCase` writes it (`caseNumber` → `case_number`).
    public static func snakeCase(_ key: String) -> String {
        let characters = Array(key)
        var result = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) {
                    result.append("_")
                }
            }
            result += character.lowercased()
        }
        return result
    }

    /// A short, specific English reason for a decoding failure, fit for a dead letter's `x-minhu-error` or a
    /// problem+json detail: `missing required field 'case_number'`, `field 'round': expected integer`,
    /// `field 'urgency': invalid value 'asap'`, `body is not valid JSON`. Other errors are described as they
    /// describe themselves.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else {
            return String(describing: error)
        }
        switch error {
        case let .keyNotFound(key, context):
            if !context.debugDescription.hasPrefix("No value associated with key") {
                return "missing required field: " + context.debugDescription
            }
            return "missing required field '\(fieldPath(context.codingPath + [key]))'"
        case let .valueNotFound(type, context):
            if context.codingPath.isEmpty { return "body: expected \(jsonTypeName(type)), found null" }
            return "field '\(fieldPath(context.codingPath))': must not be null"
        case let .typeMismatch(type, context):
            if context.codingPath.isEmpty { return "body: expected \(jsonTypeName(type))" }
            return "field '\(fieldPath(context.codingPath))': expected \(jsonTypeName(type))"
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty {
                return context.underlyingError != nil || context.debugDescription.contains("not valid JSON")
                    ? "body is not valid JSON" : "body: " + context.debugDescription
            }
            return "field '\(fieldPath(context.codingPath))': \(corruptionReason(context.debugDescription))"
        @unknown default:
            return String(describing: error)
        }
    }

    /// `citizen.phone`, `attachments[0]`: the JSON names of a coding path.
    public static func fieldPath(_ path: [any CodingKey]) -> String {
        var result = ""
        for key in path {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == "\(index)" {
                result += "[\(index)]"
            } else {
                if !result.isEmpty { result += "." }
                result += snakeCase(key.stringValue)
            }
        }
        return result
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is any BinaryInteger.Type: "integer"
        case is any BinaryFloatingPoint.Type, is Decimal.Type: "number"
        case is String.Type, is Date.Type, is UUID.Type, is URL.Type: "string"
        case is Bool.Type: "boolean"
        case is [Any].Type: "array"
        default:
            String(describing: type).hasPrefix("Array<") ? "array" : "object"
        }
    }

    private static func corruptionReason(_ description: String) -> String {
        if description.contains("does not fit in") { return "expected integer" }
        if description.hasPrefix("Attempted to decode UUID") { return "invalid UUID" }
        if description.hasPrefix("Invalid URL") { return "invalid URL" }
        if description.hasPrefix("Cannot initialize"), let range = description.range(of: " value ") {
            let value = description[range.upperBound...]
            return "invalid value '\(value)'"
        }
        return description
    }
}

/// A key of a path found in raw JSON (already in its JSON spelling).
private struct JSONPathKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ key: String) { stringValue = key; intValue = nil }
    init(_ index: Int) { stringValue = "Index \(index)"; intValue = index }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(intValue) }
}

private extension Int64 {
    /// The quotient rounded towards minus infinity (so a date before 1970 keeps a positive fraction).
    func dividedFlooring(by divisor: Int64) -> Int64 {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? quotient - 1 : quotient
    }
}
