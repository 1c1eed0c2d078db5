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
}
