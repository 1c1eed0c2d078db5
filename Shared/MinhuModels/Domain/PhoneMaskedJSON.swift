import Foundation

/// A message body shown to an operator (a console line, a log): JSON with every `phone` field masked, at any depth.
///
/// ```swift
/// PhoneMaskedJSON.text(of: Data(#"{"citizen":{"phone":"13800138000"}}"#.utf8))
/// // {"citizen":{"phone":"138****8000"}}
/// ```
public enum PhoneMaskedJSON {
    /// The body as JSON text (sorted keys) with every `phone` or `phones` value masked (`Citizen.maskPhone`;
    /// strings, numbers and lists of them), in objects and arrays at any depth; a body that is not JSON is shown
    /// by its size only, since it could hold a number in full.
    public static func text(of body: Data) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: masked(object),
                                                     options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else {
            return "(\(body.count) bytes, not JSON)"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Keys whose values are phone numbers.
    static let phoneKeys: Set<String> = ["phone", "phones"]

    /// `value` with every `phone` or `phones` value masked: a string, a number (JSON allows `"phone":13800138000`)
    /// or a list of them; an object under such a key is searched as any other.
    static func masked(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            var out: [String: Any] = [:]
            for (key, inner) in object {
                out[key] = phoneKeys.contains(key) ? maskedPhones(inner) : masked(inner)
            }
            return out
        }
        if let array = value as? [Any] { return array.map(masked) }
        return value
    }

    private static func maskedPhones(_ value: Any) -> Any {
        if let phone = value as? String { return Citizen.maskPhone(phone) }
        if let array = value as? [Any] { return array.map(maskedPhones) }
        if value is [String: Any] { return masked(value) }
        if let number = value as? NSNumber { return Citizen.maskPhone(number.stringValue) }
        return value
    }
}
