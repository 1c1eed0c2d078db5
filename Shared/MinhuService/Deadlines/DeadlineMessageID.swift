import Foundation

/// Deterministic message ids for what the watcher emits: the same clock, round, attempt and threshold always give
/// the same UUID, so the outbox's unique `message_id` refuses a second copy even if the flags on the row slipped.
public enum DeadlineMessageID {
    /// A version-8 (custom) UUID from two FNV-1a 64-bit hashes of `appeal/round/attempt/clock/threshold`.
    public static func make(appealID: UUID, round: Int, attempt: Int, clock: String, threshold: String) -> UUID {
        let key = "minhu-deadlines/\(appealID.uuidString.lowercased())/\(round)/\(attempt)/\(clock)/\(threshold)"
        func fnv(_ seed: UInt64) -> UInt64 {
            var hash = seed
            for byte in key.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100000001b3
            }
            return hash
        }
        let high = fnv(0xcbf29ce484222325)
        let low = fnv(0x84222325cbf29ce4 ^ high)
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(index)))
            bytes[8 + index] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(index)))
        }
        bytes[6] = (bytes[6] & 0x0f) | 0x80  // version 8
        bytes[8] = (bytes[8] & 0x3f) | 0x80  // RFC 4122 variant
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// `0.6` → `w0.6`, overdue → `overdue`.
    static func threshold(_ share: Double) -> String { share >= 1 ? "overdue" : "w\(share)" }
}
