import Foundation

/// The fields of an `application/x-www-form-urlencoded` body or a query string: `+` is a space, `%XX` a byte,
/// the bytes UTF-8. The first occurrence of a name wins.
public struct Open311Form: Sendable, Hashable {
    public private(set) var fields: [String: String] = [:]

    public init(fields: [String: String]) {
        self.fields = fields
    }

    /// Parses `text`; throws a 400 naming the field whose name or value is not valid UTF-8 or percent-encoding.
    public init(parsing text: Substring) throws(Open311Error) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else {
                throw .badRequest("a form field name is not valid percent-encoded UTF-8")
            }
            guard let value = parts.count > 1 ? Self.decode(parts[1]) : "" else {
                throw .badRequest("\(name): not valid percent-encoded UTF-8")
            }
            // PostgreSQL text holds no NUL: refused here rather than failing a query with a 500.
            if name.contains("\u{0}") || value.contains("\u{0}") {
                throw .badRequest("\(name.contains("\u{0}") ? "a form field name" : name): contains a NUL character")
            }
            if fields[name] == nil { fields[name] = value }
        }
    }

    public subscript(name: String) -> String? { fields[name] }

    /// The value of `name`, trimmed, or nil when absent or blank.
    public func value(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// Decodes one name or value; nil for a bad `%` sequence or bytes that are not UTF-8.
    public static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
