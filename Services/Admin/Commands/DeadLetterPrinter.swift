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
        fields.append("\(letter.origin): \(oneLine(letter.reason))")
        var text = fields.joined(separator: "\t")
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

    /// Line breaks and tabs as spaces, so that a reason or body cannot break the table.
    private static func oneLine(_ text: String) -> String {
        String(text.unicodeScalars.map { CharacterSet.newlines.contains($0) || $0 == "\t" ? " " : Character($0) })
    }
}
