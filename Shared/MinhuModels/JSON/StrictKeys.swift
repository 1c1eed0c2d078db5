/// Refuses keys a file format does not know, for the files operators edit by hand (the deadline policy file): a
/// misspelt key (`office_hours` for `officeHours`) must be an error naming it, not a default taken in silence.
/// Messages between services stay lenient (unknown fields are ignored, see docs/messages.md).
///
/// ```swift
/// public init(from decoder: any Decoder) throws {
///     try StrictKeys.refuseUnknown(in: decoder, allowed: ["name", "limit", "description"])
///     …
/// }
/// ```
public enum StrictKeys {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Throws `DecodingError.dataCorrupted` at the first key of the decoder's object that is not in `allowed`.
    public static func refuseUnknown(in decoder: any Decoder, allowed: [String]) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue })
        where !allowed.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container,
                debugDescription: "unknown key '\(key.stringValue)' (expected \(allowed.joined(separator: ", ")))")
        }
    }
}
