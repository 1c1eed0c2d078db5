import MinhuStorage

/// New API keys: 32 random bytes from the system's CSPRNG, printed as `mh_` + 64 lowercase hex digits.
public enum ApiKeyGenerator {
    public static let prefix = "mh_"
    /// How many leading characters of a key are kept (in clear) to tell keys apart in listings.
    public static let listedPrefixLength = 8

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + bytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// True when `key` has the shape `generate()` gives (`mh_` + 64 lowercase hex digits). Anything else cannot be a
    /// key, so it is refused without a database lookup (a client looping on junk costs no query) and never logged
    /// (it may be a password pasted into the wrong header).
    public static func isWellFormed(_ key: String) -> Bool {
        let utf8 = key.utf8
        guard utf8.count == prefix.utf8.count + 64, key.hasPrefix(prefix) else { return false }
        return utf8.dropFirst(prefix.utf8.count).allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The stored form of a key: hex SHA-256 of its UTF-8 bytes.
    public static func hash(_ key: String) -> String {
        SHA256.hexDigest(of: key)
    }

    /// The first characters of a key, shown in listings and logs.
    public static func listedPrefix(_ key: String) -> String {
        String(key.prefix(listedPrefixLength))
    }
}
