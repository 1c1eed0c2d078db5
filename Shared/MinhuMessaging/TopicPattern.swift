/// AMQP 0-9-1 topic matching: words separated by `.`, `*` matches exactly one word, `#` zero or more.
public enum TopicPattern {
    /// True when `routingKey` matches the binding `pattern`.
    public static func matches(pattern: String, routingKey: String) -> Bool {
        let patternWords = pattern.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let keyWords = routingKey.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        return match(patternWords[...], keyWords[...])
    }

    private static func match(_ pattern: ArraySlice<String>, _ key: ArraySlice<String>) -> Bool {
        guard let head = pattern.first else { return key.isEmpty }
        let rest = pattern.dropFirst()
        switch head {
        case "#":
            if match(rest, key) { return true }
            return !key.isEmpty && match(pattern, key.dropFirst())
        case "*":
            return !key.isEmpty && match(rest, key.dropFirst())
        default:
            return key.first == head && match(rest, key.dropFirst())
        }
    }
}
