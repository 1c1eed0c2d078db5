import Foundation

/// Open311's dates: ISO 8601 / W3C with the offset (`2026-11-22T14:05:00+08:00`), written in the jurisdiction's
/// zone. Parsing also takes fractional seconds, `Z`, a local time without offset (the jurisdiction's zone), a date
/// alone (its midnight there), and a `+` that a query string turned into a space.
public struct Open311Dates: Sendable {
    public let timeZone: TimeZone

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    public func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = timeZone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d%@%02d:%02d", parts.year ?? 0, parts.month ?? 0,
                      parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, sign,
                      minutes / 60, minutes % 60)
    }

    public func parse(_ raw: String) -> Date? {
        let text = QueryDateText.restoringOffsetPlus(raw.trimmingCharacters(in: .whitespaces))
        guard text.count >= 10, text.unicodeScalars.allSatisfy({ $0.isASCII }) else { return nil }
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), bytes[4] == 0x2D, let month = number(5..<7), bytes[7] == 0x2D,
              let day = number(8..<10), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        if bytes.count == 10 {
            let components = DateComponents(year: year, month: month, day: day)
            guard let date = calendar.date(from: components),
                  calendar.component(.day, from: date) == day else { return nil }
            return date
        }
        guard bytes.count >= 19, bytes[10] == 0x54 || bytes[10] == 0x74 || bytes[10] == 0x20,
              let hour = number(11..<13), bytes[13] == 0x3A, let minute = number(14..<16), bytes[16] == 0x3A,
              let second = number(17..<19), hour < 24, minute < 60, second < 61 else { return nil }
        var rest = bytes[19...]
        var fraction = 0.0
        if rest.first == 0x2E {
            rest = rest.dropFirst()
            var digits = 0
            var scale = 0.1
            while let byte = rest.first, (0x30...0x39).contains(byte) {
                fraction += Double(byte - 0x30) * scale
                scale /= 10
                digits += 1
                rest = rest.dropFirst()
            }
            guard digits > 0 else { return nil }
        }
        var offset: Int?
        if rest.isEmpty {
            offset = nil
        } else if rest.count == 1, rest.first == 0x5A || rest.first == 0x7A {
            offset = 0
        } else if rest.count == 6 || rest.count == 5, let sign = rest.first, sign == 0x2B || sign == 0x2D {
            let text = Array(rest.dropFirst()).filter { $0 != 0x3A }
            guard text.count == 4, text.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            if rest.count == 6 && rest[rest.startIndex + 3] != 0x3A { return nil }
            let hours = Int(text[0] - 0x30) * 10 + Int(text[1] - 0x30)
            let minutes = Int(text[2] - 0x30) * 10 + Int(text[3] - 0x30)
            guard hours < 24, minutes < 60 else { return nil }
            offset = (hours * 3600 + minutes * 60) * (sign == 0x2D ? -1 : 1)
        } else {
            return nil
        }
        if let offset { calendar.timeZone = TimeZone(secondsFromGMT: offset) ?? timeZone }
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute,
                                        second: min(second, 59))
        guard let date = calendar.date(from: components), calendar.component(.day, from: date) == day else {
            return nil
        }
        return date.addingTimeInterval(fraction)
    }
}
