import Foundation

/// Values that go into AMQP properties, clamped to the wire types, so that no message field (a `schema_version`
/// header or a `timestamp` an integrator set, copied into a dead letter) can trap the publishing process.
public enum AMQPWireValues {
    /// The `schema_version` header as AMQP's signed 32-bit integer (values outside it are clamped).
    public static func schemaVersion(_ version: Int) -> Int32 { Int32(clamping: version) }

    /// The `timestamp` property: whole seconds since 1970, 0 before it (or when not finite), at most `Int64.max`.
    public static func timestamp(_ date: Date) -> UInt64 {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return seconds < 0x1p63 ? UInt64(seconds) : UInt64(Int64.max)
    }
}
