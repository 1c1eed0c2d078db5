import Foundation
import MinhuMessaging

/// How `minhu deadletters list` shows a dead letter: a table row, or a JSON object.
enum DeadLetterPrinter {
    /// `number  message id  type  time  app  reason`, and the body on the next line when asked.
    static func row(_ letter: DeadLetter, number: Int, body: Bool) -> String {
        let properties = letter.delivery.properties
        var fields = ["\(number)", letter.messageID, properties.type ?? "-", time(properties.timestamp),
                      properties.appID ?? "-"]
        if let sender = letter.sender { fields.append("sender \(sender)") }
        if letter.replays > 0 { fields.append("replayed \(letter.replays)×") }
        fields.append("\(letter.origin): \(letter.reason)")
        // Every field but the number comes from the message's sender: no control character reaches the terminal.
        var text = fields.map(oneLine).joined(separator: "\t")
        if body { text += "\n\t" + oneLine(String(decoding: letter.delivery.body, as: UTF8.self)) }
        return text
    }

    /// One JSON object (sorted keys) with the dead letter's properties, reason and, when asked, its body.
    static func json(_ letter: DeadLetter, queue: String, body: Bool) -> String {
        let properties = letter.delivery.properties
        var object: [String: Any] = [
            "queue": queue, "message_id": letter.messageID, "origin": letter.origin, "reason": letter.reason,
            "replays": letter.replays, "body_bytes": letter.delivery.body.count,
        ]
        object["type"] = properties.type
        object["timestamp"] = properties.timestamp.map(time)
        object["app_id"] = properties.appID
        object["correlation_id"] = properties.correlationID
        object["sender"] = letter.sender
        object["schema_version"] = properties.schemaVersion
        if body { object["body"] = String(decoding: letter.delivery.body, as: UTF8.self) }
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: options))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        return date.formatted(.iso8601)
    }

    /// Control characters (line breaks, tabs, terminal escapes) as spaces, so that a field cannot break the table
    /// or drive the terminal.
    static func oneLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let bidiOverride = (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
            let control = scalar.properties.generalCategory == .control || CharacterSet.newlines.contains(scalar)
                || bidiOverride
            scalars.append(control ? " " : scalar)
        }
        return String(scalars)
    }
}
