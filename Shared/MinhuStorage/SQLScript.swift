import Foundation

/// Splits a SQL script (a migration file) into statements.
///
/// PostgresNIO speaks the extended query protocol, which runs one statement per query, so a migration file is cut
/// at its top-level semicolons: those outside string literals (`'…'`, `E'…'`), quoted identifiers (`"…"`),
/// dollar-quoted bodies (`$$…$$`, `$tag$…$tag$`) and comments (`-- …`, nested `/* … */`). Statements that hold
/// only comments and white space are dropped.
public enum SQLScript {
    public static func statements(in script: String) -> [String] {
        let bytes = Array(script.utf8)
        var statements: [String] = []
        var start = 0
        var hasCode = false
        var index = 0

        func flush(upTo end: Int) {
            if hasCode {
                let text = String(decoding: bytes[start..<end], as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                if !text.isEmpty { statements.append(text) }
            }
            hasCode = false
        }

        while index < bytes.count {
            let byte = bytes[index]
            let next: UInt8? = index + 1 < bytes.count ? bytes[index + 1] : nil
            switch byte {
            case UInt8(ascii: "-") where next == UInt8(ascii: "-"):
                index += 2
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "/") where next == UInt8(ascii: "*"):
                var depth = 1
                index += 2
                while index < bytes.count, depth > 0 {
                    if bytes[index] == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                        depth += 1
                        index += 2
                    } else if bytes[index] == UInt8(ascii: "*"), index + 1 < bytes.count,
                              bytes[index + 1] == UInt8(ascii: "/") {
                        depth -= 1
                        index += 2
                    } else {
                        index += 1
                    }
                }
            case UInt8(ascii: "'"):
                hasCode = true
                let escapes = index > 0 && (bytes[index - 1] == UInt8(ascii: "E") || bytes[index - 1] == UInt8(ascii: "e"))
                    && (index < 2 || !isIdentifierByte(bytes[index - 2]))
                index = skipQuoted(bytes, from: index, quote: UInt8(ascii: "'"), backslashEscapes: escapes)
            case UInt8(ascii: "\""):
                hasCode = true
                index = skipQuoted(bytes, from: index, quote: UInt8(ascii: "\""), backslashEscapes: false)
            case UInt8(ascii: "$"):
                hasCode = true
                if let tagEnd = dollarTagEnd(bytes, from: index), index == 0 || !isIdentifierByte(bytes[index - 1]) {
                    let tag = bytes[index...tagEnd]
                    var scan = tagEnd + 1
                    var closed = false
                    while scan < bytes.count {
                        if bytes[scan] == UInt8(ascii: "$"), scan + tag.count <= bytes.count,
                           bytes[scan..<(scan + tag.count)].elementsEqual(tag) {
                            scan += tag.count
                            closed = true
                            break
                        }
                        scan += 1
                    }
                    index = closed ? scan : bytes.count
                } else {
                    index += 1
                }
            case UInt8(ascii: ";"):
                flush(upTo: index)
                index += 1
                start = index
            default:
                if !isWhitespace(byte) { hasCode = true }
                index += 1
            }
        }
        flush(upTo: bytes.count)
        return statements
    }

    /// Index just past the closing quote (or the end of input).
    private static func skipQuoted(_ bytes: [UInt8], from opening: Int, quote: UInt8, backslashEscapes: Bool) -> Int {
        var index = opening + 1
        while index < bytes.count {
            let byte = bytes[index]
            if backslashEscapes, byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if byte == quote {
                if index + 1 < bytes.count, bytes[index + 1] == quote {
                    index += 2 // doubled quote
                    continue
                }
                return index + 1
            }
            index += 1
        }
        return bytes.count
    }

    /// For `$tag$` or `$$` starting at `start`, the index of the closing `$` of the tag; nil for `$1` and the like.
    private static func dollarTagEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "$") { return index }
        guard index < bytes.count, isIdentifierStart(bytes[index]) else { return nil }
        while index < bytes.count, isIdentifierByte(bytes[index]) { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "$") else { return nil }
        return index
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}
