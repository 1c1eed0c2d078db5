/// Reduces raw or word-segmented Chinese text to the characters that carry meaning, so that both forms
/// produce the same features: Han characters, ASCII letters (lower-cased) and digits are kept, full-width
/// ASCII is folded to half-width, and white space, punctuation, emoji and everything else is dropped.
public enum TextNormalizer {
    /// The normalised scalars of `text`, at most `limit` of them.
    public static func scalars(_ text: some StringProtocol, limit: Int = .max) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(min(limit, text.utf8.count / 2 + 8))
        for s in text.unicodeScalars {
            if out.count >= limit { break }
            if let v = fold(s.value) { out.append(v) }
        }
        return out
    }

    /// The normalised form of `text` as a string.
    public static func normalize(_ text: some StringProtocol, limit: Int = .max) -> String {
        var s = String.UnicodeScalarView()
        for v in scalars(text, limit: limit) { if let u = Unicode.Scalar(v) { s.append(u) } }
        return String(s)
    }

    /// The kept form of one scalar, or nil when it is dropped.
    @inline(__always)
    public static func fold(_ value: UInt32) -> UInt32? {
        var v = value
        if v >= 0xFF01 && v <= 0xFF5E { v -= 0xFEE0 }          // full-width ASCII
        if v >= 0x41 && v <= 0x5A { return v + 32 }             // A-Z
        if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) { return v }
        if isHan(v) { return v }
        return nil
    }

    /// True for CJK unified ideographs (basic block, extension A, compatibility ideographs).
    @inline(__always)
    public static func isHan(_ v: UInt32) -> Bool {
        (v >= 0x4E00 && v <= 0x9FFF) || (v >= 0x3400 && v <= 0x4DBF) || (v >= 0xF900 && v <= 0xFAFF)
            || (v >= 0x20000 && v <= 0x2FA1F)
    }
}

/// FNV-1a hashing of scalar sequences, stable across runs and platforms (unlike `Hasher`).
public enum StableHash {
    public static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// Hashes `scalars[range]` after a namespace seed.
    @inline(__always)
    public static func hash(_ scalars: UnsafeBufferPointer<UInt32>, _ start: Int, _ count: Int, seed: UInt64) -> UInt64 {
        var h = offset ^ seed
        h = h &* prime
        for i in start..<(start + count) {
            var v = scalars[i]
            for _ in 0..<3 {
                h ^= UInt64(v & 0xFF)
                h = h &* prime
                v >>= 8
            }
        }
        // final avalanche (murmur3 fmix64) so low bits are well mixed for masking
        h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd; h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53; h ^= h >> 33
        return h
    }

    /// The FNV state after the seed, before any scalar.
    @inline(__always)
    public static func start(seed: UInt64) -> UInt64 { (offset ^ seed) &* prime }

    /// Feeds one scalar into an FNV state.
    @inline(__always)
    public static func feed(_ state: UInt64, _ scalar: UInt32) -> UInt64 {
        var h = state
        var v = scalar
        for _ in 0..<3 {
            h ^= UInt64(v & 0xFF)
            h = h &* prime
            v >>= 8
        }
        return h
    }

    /// The final hash of an FNV state (equal to `hash(_:_:_:seed:)` of the scalars fed).
    @inline(__always)
    public static func finish(_ state: UInt64) -> UInt64 {
        var h = state
        h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd; h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53; h ^= h >> 33
        return h
    }

    /// Hashes a whole string's normalised scalars.
    public static func hash(_ text: String, seed: UInt64 = 0) -> UInt64 {
        let s = TextNormalizer.scalars(text)
        return s.withUnsafeBufferPointer { hash($0, 0, $0.count, seed: seed) }
    }
}
