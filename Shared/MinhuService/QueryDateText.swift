/// Date-times as they arrive in query strings.
enum QueryDateText {
    /// `text` with the `+` of its UTC offset restored: `…T08:00:00+08:00` in a query string without
    /// percent-encoding arrives as `…T08:00:00 08:00` (also with fractional seconds, or as ` 0800`), the `+` decoded
    /// as a space.
    static func restoringOffsetPlus(_ text: String) -> String {
        var text = text
        for width in [6, 5] where text.count > 19 {  // ` hh:mm` or ` hhmm`
            let space = text.index(text.endIndex, offsetBy: -width)
            if text[space] == " " {
                text.replaceSubrange(space...space, with: "+")
                break
            }
        }
        return text
    }

    /// `text` with its `+` restored and a compact offset (`+0800`, which query strings often carry) written as RFC
    /// 3339 writes it (`+08:00`), for `MinhuJSON.parseDate`, which reads RFC 3339 only.
    static func rfc3339(_ text: String) -> String {
        var text = restoringOffsetPlus(text)
        let bytes = Array(text.utf8)
        let n = bytes.count
        guard n > 19, bytes[n - 5] == UInt8(ascii: "+") || bytes[n - 5] == UInt8(ascii: "-"),
              bytes[(n - 4)...].allSatisfy({ (0x30...0x39).contains($0) }),
              (0x30...0x39).contains(bytes[n - 6]) else { return text }
        text.insert(":", at: text.index(text.endIndex, offsetBy: -2))
        return text
    }
}
