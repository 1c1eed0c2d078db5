import CRabbitMQ
import Foundation

/// Owns C copies of strings and tables handed to rabbitmq-c for the duration of one call, then frees them.
/// (A pointer from `amqp_cstring_bytes(swiftString)` is valid only during that call.)
final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit {
        for block in blocks { free(block) }
    }

    /// A C copy of `string` as `amqp_bytes_t` (not NUL-counted).
    func bytes(_ string: String) -> amqp_bytes_t {
        var utf8 = Array(string.utf8)
        return bytes(&utf8)
    }

    /// A C copy of `data` as `amqp_bytes_t`.
    func bytes(_ data: Data) -> amqp_bytes_t {
        var copy = [UInt8](data)
        return bytes(&copy)
    }

    private func bytes(_ buffer: inout [UInt8]) -> amqp_bytes_t {
        let count = buffer.count
        guard let block = malloc(max(count, 1)) else { fatalError("out of memory") }
        blocks.append(block)
        buffer.withUnsafeBytes { source in
            if let base = source.baseAddress { block.copyMemory(from: base, byteCount: count) }
        }
        return amqp_bytes_t(len: count, bytes: block)
    }

    /// A C string copy (NUL-terminated).
    func cString(_ string: String) -> UnsafePointer<CChar> {
        guard let pointer = strdup(string) else { fatalError("out of memory") }
        blocks.append(UnsafeMutableRawPointer(pointer))
        return UnsafePointer(pointer)
    }

    /// The client properties a connection logs in with: its name, the product, and the capability
    /// `consumer_cancel_notify`, without which RabbitMQ drops a consumer whose queue is deleted without a word
    /// (rabbitmq-c merges this `capabilities` table with its own).
    func clientProperties(connectionName: String) -> amqp_table_t {
        guard let raw = malloc(MemoryLayout<amqp_table_entry_t>.stride * 4) else { fatalError("out of memory") }
        blocks.append(raw)
        let pointer = raw.bindMemory(to: amqp_table_entry_t.self, capacity: 4)
        var notify = amqp_table_entry_t()
        notify.key = bytes("consumer_cancel_notify")
        notify.value.kind = AMQPConstants.kindBoolean
        notify.value.value.boolean = 1
        pointer.initialize(to: notify)
        let capabilities = amqp_table_t(num_entries: 1, entries: pointer)
        var entries = [amqp_table_entry_t](repeating: amqp_table_entry_t(), count: 3)
        entries[0].key = bytes("connection_name")
        entries[0].value.kind = AMQPConstants.kindUTF8
        entries[0].value.value.bytes = bytes(connectionName)
        entries[1].key = bytes("product")
        entries[1].value.kind = AMQPConstants.kindUTF8
        entries[1].value.value.bytes = bytes("minhu")
        entries[2].key = bytes("capabilities")
        entries[2].value.kind = AMQPConstants.kindTable
        entries[2].value.value.table = capabilities
        for (index, entry) in entries.enumerated() { (pointer + 1 + index).initialize(to: entry) }
        return amqp_table_t(num_entries: 3, entries: pointer + 1)
    }

    /// An AMQP table of queue arguments.
    func table(entries: [(String, Topology.QueueArgument)]) -> amqp_table_t {
        guard !entries.isEmpty else { return amqp_table_t(num_entries: 0, entries: nil) }
        let size = MemoryLayout<amqp_table_entry_t>.stride * entries.count
        guard let raw = malloc(size) else { fatalError("out of memory") }
        blocks.append(raw)
        let pointer = raw.bindMemory(to: amqp_table_entry_t.self, capacity: entries.count)
        for (index, (key, value)) in entries.enumerated() {
            var entry = amqp_table_entry_t()
            entry.key = bytes(key)
            switch value {
            case .string(let text):
                entry.value.kind = AMQPConstants.kindUTF8
                entry.value.value.bytes = bytes(text)
            case .int(let number):
                entry.value.kind = AMQPConstants.kindI32
                entry.value.value.i32 = number
            }
            (pointer + index).initialize(to: entry)
        }
        return amqp_table_t(num_entries: Int32(entries.count), entries: pointer)
    }
}

extension amqp_bytes_t {
    /// The bytes as a Swift string (UTF-8, lossy).
    var string: String {
        guard len > 0, let bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self)
    }

    /// The bytes copied into `Data`.
    var data: Data {
        guard len > 0, let bytes else { return Data() }
        return Data(bytes: bytes, count: len)
    }
}
