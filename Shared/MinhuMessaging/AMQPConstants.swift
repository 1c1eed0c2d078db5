import CRabbitMQ

/// rabbitmq-c constants whose C macros (casts, shifts) Swift does not import.
enum AMQPConstants {
    static let frameMethod: UInt8 = 1
    static let frameHeader: UInt8 = 2
    static let frameBody: UInt8 = 3
    static let frameHeartbeat: UInt8 = 8

    static let connectionClose: amqp_method_number_t = 0x000A_0032
    static let connectionBlocked: amqp_method_number_t = 0x000A_003C
    static let connectionUnblocked: amqp_method_number_t = 0x000A_003D
    static let channelClose: amqp_method_number_t = 0x0014_0028
    static let channelCloseOk: amqp_method_number_t = 0x0014_0029
    static let basicCancel: amqp_method_number_t = 0x003C_001E
    static let basicReturn: amqp_method_number_t = 0x003C_0032
    static let basicDeliver: amqp_method_number_t = 0x003C_003C
    static let basicAck: amqp_method_number_t = 0x003C_0050
    static let basicNack: amqp_method_number_t = 0x003C_0078

    static let contentTypeFlag: amqp_flags_t = 1 << 15
    static let headersFlag: amqp_flags_t = 1 << 13
    static let deliveryModeFlag: amqp_flags_t = 1 << 12
    static let correlationIDFlag: amqp_flags_t = 1 << 10
    static let messageIDFlag: amqp_flags_t = 1 << 7
    static let timestampFlag: amqp_flags_t = 1 << 6
    static let typeFlag: amqp_flags_t = 1 << 5
    static let userIDFlag: amqp_flags_t = 1 << 4
    static let appIDFlag: amqp_flags_t = 1 << 3

    static let kindUTF8 = UInt8(ascii: "S")
    static let kindBytes = UInt8(ascii: "x")
    static let kindI8 = UInt8(ascii: "b")
    static let kindU8 = UInt8(ascii: "B")
    static let kindI16 = UInt8(ascii: "s")
    static let kindU16 = UInt8(ascii: "u")
    static let kindI32 = UInt8(ascii: "I")
    static let kindU32 = UInt8(ascii: "i")
    static let kindI64 = UInt8(ascii: "l")
    static let kindU64 = UInt8(ascii: "L")
    static let kindBoolean = UInt8(ascii: "t")
    static let kindTable = UInt8(ascii: "F")
    static let kindArray = UInt8(ascii: "A")
    static let kindTimestamp = UInt8(ascii: "T")
}
