import Foundation

/// A message body shown to an operator (a console line, a log): JSON with every `phone` field masked, at any depth.
///
/// ```swift
/// PhoneMaskedJSON.text(of: Data(#"{"citizen":{"phone":"13800138000"}}"#.utf8))
/// // {"citizen":{"phone":"138****8000"}}
/// ```
public enum PhoneMaskedJSON {
    /// The body as JSON text (sorted keys) with the string of every `phone` key masked (`Citizen.maskPhone`), in
    /// objects and arrays at any depth; a body that is not JSON is shown by its size only, since it could hold a
    /// number in full.
    public static func text(of body: Data) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: masked(object),
                                                     options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else {
            return "(\(body.count) bytes, not JSON)"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `value` with the string of every `phone` key masked.
    static func masked(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            var out: [String: Any] = [:]
            for (key, inner) in object {
                if key == "phone", let phone = inner as? String {
                    out[key] = Citizen.maskPhone(phone)
                } else {
                    out[key] = masked(inner)
                }
            }
            return out
        }
        if let array = value as? [Any] { return array.map(masked) }
        return value
    }
}
