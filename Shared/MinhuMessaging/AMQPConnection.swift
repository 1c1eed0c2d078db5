import CRabbitMQ
import MinhuModels
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One rabbitmq-c connection with one channel (number 1). Confined to the `AMQPWorkerThread` that created it:
/// never touch it from another thread.
final class AMQPConnection {
    private let state: amqp_connection_state_t
    private let channel: amqp_channel_t = 1
    /// False once the connection is closed or destroyed (after any error but a refused publish, see `publish`).
    private(set) var isOpen = true
    private var nextPublishSequence: UInt64 = 0
    /// The socket's file descriptor, for `poll(2)`.
    let socketFD: Int32
    /// Seconds to wait for publisher confirms of one window before giving up on the connection.
    var confirmTimeoutSeconds: Int = 30

    private init(state: amqp_connection_state_t) {
        self.state = state
        self.socketFD = amqp_get_sockfd(state)
    }

    deinit {
        if isOpen { _ = amqp_destroy_connection(state) }
    }

    // MARK: Opening and closing

    /// Connects, logs in and opens channel 1 (in confirm mode when `confirms`).
    static func open(url: AMQPURL, options: AMQPConnectionOptions, confirms: Bool) throws -> AMQPConnection {
        guard let state = amqp_new_connection() else { throw AMQPError.connectionFailed("out of memory") }
        guard let socket = amqp_tcp_socket_new(state) else {
            _ = amqp_destroy_connection(state)
            throw AMQPError.connectionFailed("cannot create socket")
        }
        var timeout = timeval(tv_sec: options.connectTimeoutSeconds, tv_usec: 0)
        let opened = amqp_socket_open_noblock(socket, url.host, Int32(url.port), &timeout)
        guard opened == AMQP_STATUS_OK.rawValue else {
            _ = amqp_destroy_connection(state)
            throw AMQPError.connectionFailed("cannot reach \(url.host):\(url.port): \(errorString(opened))")
        }
        _ = amqp_set_handshake_timeout(state, &timeout)
        _ = amqp_set_rpc_timeout(state, &timeout)
        let arena = CArena()
        var properties = arena.clientProperties(connectionName: options.connectionName)
        let reply = minhu_amqp_login_plain_props(state, url.vhost, 0, 131_072, Int32(options.heartbeatSeconds),
                                                 &properties, url.user, url.password)
        let connection = AMQPConnection(state: state)
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
            let reason = describe(reply)
            connection.destroy()
            throw AMQPError.connectionFailed("login to \(url) failed: \(reason)")
        }
        _ = amqp_channel_open(state, 1)
        try connection.checkReply("channel.open")
        if confirms {
            _ = amqp_confirm_select(state, 1)
            try connection.checkReply("confirm.select")
        }
        return connection
    }

    /// Closes the connection politely (bounded by the RPC timeout), then frees it.
    func close() {
        guard isOpen else { return }
        _ = amqp_connection_close(state, Int32(AMQP_REPLY_SUCCESS))
        destroy()
    }

    /// Frees the connection without a handshake (after an error).
    func destroy() {
        guard isOpen else { return }
        isOpen = false
        _ = amqp_destroy_connection(state)
    }

    /// True when rabbitmq-c holds frames or bytes not yet handed out.
    var hasBufferedData: Bool {
        amqp_frames_enqueued(state) != 0 || amqp_data_in_buffer(state) != 0
    }

    // MARK: Topology

    /// Declares every exchange, queue and binding of `topology` (idempotent when the arguments match).
    func declare(_ topology: Topology) throws {
        for exchange in topology.exchanges {
            let arena = CArena()
            _ = amqp_exchange_declare(state, channel, arena.bytes(exchange.name), arena.bytes(exchange.kind.rawValue),
                                      0, 1, 0, 0, amqp_table_t(num_entries: 0, entries: nil))
            try checkReply("exchange.declare \(exchange.name)")
        }
        for queue in topology.queues {
            let arena = CArena()
            let arguments = arena.table(entries: queue.arguments.sorted { $0.key < $1.key })
            _ = amqp_queue_declare(state, channel, arena.bytes(queue.name), 0, 1, 0, 0, arguments)
            try checkReply("queue.declare \(queue.name)")
            for binding in queue.bindings {
                _ = amqp_queue_bind(state, channel, arena.bytes(queue.name), arena.bytes(binding.exchange),
                                    arena.bytes(binding.routingKey), amqp_table_t(num_entries: 0, entries: nil))
                try checkReply("queue.bind \(queue.name) \(binding.exchange) \(binding.routingKey)")
            }
        }
    }

    /// The number of ready messages and consumers of `queue` (a passive declare; throws when it does not exist).
    func queueStatus(_ queue: String) throws -> (messages: Int, consumers: Int) {
        let arena = CArena()
        guard let ok = amqp_queue_declare(state, channel, arena.bytes(queue), 1, 0, 0, 0,
                                          amqp_table_t(num_entries: 0, entries: nil)) else {
            try checkReply("queue.declare passive \(queue)")
            throw AMQPError.connectionLost("queue.declare returned nothing")
        }
        return (Int(ok.pointee.message_count), Int(ok.pointee.consumer_count))
    }

    // MARK: Publishing

    /// Publishes `messages` persistent and mandatory, waiting for the broker's confirms every `window` messages.
    /// A `basic.return` or `basic.nack` is reported per message; a lost connection throws. A message the broker
    /// refuses by closing the channel (403, 404, 406) throws `AMQPError.brokerRefused`, and the channel is opened
    /// again (`isOpen` stays true) when the broker allows, so a refusal costs no new connection.
    func publish(_ messages: [OutgoingMessage], window: Int) throws -> [PublishOutcome] {
        var outcomes = [PublishOutcome?](repeating: nil, count: messages.count)
        var start = 0
        while start < messages.count {
            let end = min(start + window, messages.count)
            var sequenceToIndex: [UInt64: Int] = [:]
            var indexByMessageID: [String: Int] = [:]
            for index in start..<end {
                try publishOne(messages[index])
                nextPublishSequence += 1
                sequenceToIndex[nextPublishSequence] = index
                indexByMessageID[messages[index].messageID.uuidString.lowercased()] = index
            }
            try awaitConfirms(sequenceToIndex: &sequenceToIndex, indexByMessageID: indexByMessageID,
                              outcomes: &outcomes)
            // The decoded acks and returns live in the channel's pool until it is released (rabbitmq-c frees it
            // on its own only for channel 0): released once each window is confirmed.
            if isOpen { amqp_maybe_release_buffers(state) }
            start = end
        }
        return outcomes.map { $0 ?? .nacked }
    }

    private func publishOne(_ message: OutgoingMessage) throws {
        let arena = CArena()
        var properties = amqp_basic_properties_t()
        properties._flags = AMQPConstants.contentTypeFlag | AMQPConstants.deliveryModeFlag
            | AMQPConstants.messageIDFlag | AMQPConstants.typeFlag | AMQPConstants.timestampFlag
            | AMQPConstants.appIDFlag | AMQPConstants.headersFlag
        properties.content_type = arena.bytes("application/json")
        properties.delivery_mode = 2
        properties.message_id = arena.bytes(message.messageID.uuidString.lowercased())
        properties.type = arena.bytes(message.type)
        properties.timestamp = AMQPWireValues.timestamp(message.timestamp)
        properties.app_id = arena.bytes(message.appID)
        if let correlation = message.correlationID {
            properties._flags |= AMQPConstants.correlationIDFlag
            properties.correlation_id = arena.bytes(correlation)
        }
        if let user = message.userID {
            properties._flags |= AMQPConstants.userIDFlag
            properties.user_id = arena.bytes(user)
        }
        var headers: [(String, Topology.QueueArgument)] = [
            ("schema_version", .int(AMQPWireValues.schemaVersion(message.schemaVersion))),
        ]
        for (key, value) in message.headers.sorted(by: { $0.key < $1.key }) where key != "schema_version" {
            headers.append((key, .string(value)))
        }
        properties.headers = arena.table(entries: headers)
        let status = message.body.withUnsafeBytes { raw -> Int32 in
            let body = amqp_bytes_t(len: raw.count, bytes: UnsafeMutableRawPointer(mutating: raw.baseAddress))
            return amqp_basic_publish(state, channel, arena.bytes(message.exchange), arena.bytes(message.routingKey),
                                      1, 0, &properties, body)
        }
        guard status == AMQP_STATUS_OK.rawValue else {
            throw AMQPError.connectionLost("publish failed: \(Self.errorString(status))")
        }
    }

    private func awaitConfirms(sequenceToIndex: inout [UInt64: Int], indexByMessageID: [String: Int],
                               outcomes: inout [PublishOutcome?]) throws {
        var returned: [Int: String] = [:]
        let deadline = Date().addingTimeInterval(Double(confirmTimeoutSeconds))
        while !sequenceToIndex.isEmpty {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw AMQPError.timeout("publisher confirms") }
            var frame = amqp_frame_t()
            var timeout = timeval(tv_sec: Int(remaining), tv_usec: Int((remaining - remaining.rounded(.down)) * 1e6))
            let status = amqp_simple_wait_frame_noblock(state, &frame, &timeout)
            if status == AMQP_STATUS_TIMEOUT.rawValue { continue }
            guard status == AMQP_STATUS_OK.rawValue else {
                throw AMQPError.connectionLost("waiting for confirms: \(Self.errorString(status))")
            }
            guard frame.frame_type == AMQPConstants.frameMethod else { continue }
            switch frame.payload.method.id {
            case AMQPConstants.basicAck:
                let ack = frame.payload.method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
                for sequence in resolve(tag: ack.delivery_tag, multiple: ack.multiple != 0, in: &sequenceToIndex) {
                    outcomes[sequence] = returned[sequence].map { .returned($0) } ?? .confirmed
                }
            case AMQPConstants.basicNack:
                let nack = frame.payload.method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
                for index in resolve(tag: nack.delivery_tag, multiple: nack.multiple != 0, in: &sequenceToIndex) {
                    outcomes[index] = .nacked
                }
            case AMQPConstants.basicReturn:
                let info = frame.payload.method.decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
                let reason = "\(info.reply_code) \(info.reply_text.string)"
                var message = amqp_message_t()
                let reply = amqp_read_message(state, channel, &message, 0)
                guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
                    throw AMQPError.connectionLost("reading returned message: \(Self.describe(reply))")
                }
                let id = (message.properties._flags & AMQPConstants.messageIDFlag) != 0
                    ? message.properties.message_id.string : ""
                amqp_destroy_message(&message)
                if let index = indexByMessageID[id] { returned[index] = reason }
            case AMQPConstants.channelClose:
                let error = serverError(frame.payload.method)
                reopenChannelAfterClose()
                throw error
            case AMQPConstants.connectionClose:
                let error = serverError(frame.payload.method)
                destroy()
                throw error
            default:
                continue
            }
        }
    }

    /// Answers the broker's `channel.close` and opens channel 1 again in confirm mode (the broker has discarded the
    /// closed channel's unconfirmed messages; the caller publishes them again). Destroys the connection when that
    /// fails.
    private func reopenChannelAfterClose() {
        var closeOk = amqp_channel_close_ok_t(dummy: 0)
        guard amqp_send_method(state, channel, AMQPConstants.channelCloseOk, &closeOk) == AMQP_STATUS_OK.rawValue
        else { return destroy() }
        amqp_maybe_release_buffers_on_channel(state, channel)
        _ = amqp_channel_open(state, channel)
        guard amqp_get_rpc_reply(state).reply_type == AMQP_RESPONSE_NORMAL else { return destroy() }
        _ = amqp_confirm_select(state, channel)
        guard amqp_get_rpc_reply(state).reply_type == AMQP_RESPONSE_NORMAL else { return destroy() }
        nextPublishSequence = 0
    }

    private func resolve(tag: UInt64, multiple: Bool, in pending: inout [UInt64: Int]) -> [Int] {
        if multiple {
            let done = pending.keys.filter { $0 <= tag }
            return done.compactMap { pending.removeValue(forKey: $0) }
        }
        return pending.removeValue(forKey: tag).map { [$0] } ?? []
    }

    // MARK: Idle servicing

    /// Reads whatever frames are waiting without blocking, which also sends heartbeats when due and notices a
    /// silent broker (rabbitmq-c services heartbeats only inside its own calls). Throws when the connection is
    /// gone. Used by publishers between jobs.
    func serviceIdle() throws {
        defer { if isOpen { amqp_maybe_release_buffers(state) } }
        repeat {
            var frame = amqp_frame_t()
            var zero = timeval(tv_sec: 0, tv_usec: 0)
            let status = amqp_simple_wait_frame_noblock(state, &frame, &zero)
            if status == AMQP_STATUS_TIMEOUT.rawValue { return }
            guard status == AMQP_STATUS_OK.rawValue else {
                throw AMQPError.connectionLost(Self.errorString(status))
            }
            if frame.frame_type == AMQPConstants.frameMethod {
                let id = frame.payload.method.id
                if id == AMQPConstants.channelClose || id == AMQPConstants.connectionClose {
                    let error = serverError(frame.payload.method)
                    destroy()
                    throw error
                }
            }
        } while hasBufferedData
    }

    // MARK: Consuming

    /// Sets the prefetch count of channel 1.
    func qos(prefetch: UInt16) throws {
        _ = amqp_basic_qos(state, channel, 0, prefetch, 0)
        try checkReply("basic.qos")
    }

    /// Starts consuming `queue` with manual acks; returns the consumer tag.
    func consume(queue: String) throws -> String {
        let arena = CArena()
        guard let ok = amqp_basic_consume(state, channel, arena.bytes(queue), amqp_empty_bytes, 0, 0, 0,
                                          amqp_table_t(num_entries: 0, entries: nil)) else {
            try checkReply("basic.consume \(queue)")
            throw AMQPError.connectionLost("basic.consume returned nothing")
        }
        return ok.pointee.consumer_tag.string
    }

    /// Stops the consumer `tag` (the broker stops sending; unacked deliveries stay ours to ack).
    func cancel(consumerTag: String) throws {
        let arena = CArena()
        _ = amqp_basic_cancel(state, channel, arena.bytes(consumerTag))
        try checkReply("basic.cancel")
    }

    /// The next delivery if one is available now; nil when none is waiting. Heartbeats are serviced.
    func nextDelivery(generation: Int) throws -> AMQPDelivery? {
        var envelope = amqp_envelope_t()
        var zero = timeval(tv_sec: 0, tv_usec: 0)
        amqp_maybe_release_buffers(state)
        let reply = amqp_consume_message(state, &envelope, &zero, 0)
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            defer { amqp_destroy_envelope(&envelope) }
            return AMQPDelivery(deliveryTag: envelope.delivery_tag, generation: generation,
                                redelivered: envelope.redelivered != 0, exchange: envelope.exchange.string,
                                routingKey: envelope.routing_key.string,
                                properties: Self.properties(envelope.message.properties),
                                body: envelope.message.body.data)
        case AMQP_RESPONSE_LIBRARY_EXCEPTION where reply.library_error == AMQP_STATUS_TIMEOUT.rawValue:
            return nil
        case AMQP_RESPONSE_LIBRARY_EXCEPTION where reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue:
            // A frame that is not a delivery: read it and decide.
            var frame = amqp_frame_t()
            let status = amqp_simple_wait_frame_noblock(state, &frame, &zero)
            if status == AMQP_STATUS_TIMEOUT.rawValue { return nil }
            guard status == AMQP_STATUS_OK.rawValue else {
                throw AMQPError.connectionLost(Self.errorString(status))
            }
            if frame.frame_type == AMQPConstants.frameMethod {
                switch frame.payload.method.id {
                case AMQPConstants.channelClose, AMQPConstants.connectionClose:
                    let error = serverError(frame.payload.method)
                    destroy()
                    throw error
                case AMQPConstants.basicCancel:
                    throw AMQPError.connectionLost("the broker cancelled the consumer (queue deleted?)")
                default:
                    return nil
                }
            }
            return nil
        default:
            throw AMQPError.connectionLost(Self.describe(reply))
        }
    }

    /// Acknowledges `deliveryTag` (and every earlier one when `multiple`).
    func ack(deliveryTag: UInt64, multiple: Bool) throws {
        let status = amqp_basic_ack(state, channel, deliveryTag, multiple ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else {
            throw AMQPError.connectionLost("ack failed: \(Self.errorString(status))")
        }
    }

    /// Rejects `deliveryTag`, requeueing it when `requeue`.
    func reject(deliveryTag: UInt64, requeue: Bool) throws {
        let status = amqp_basic_nack(state, channel, deliveryTag, 0, requeue ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else {
            throw AMQPError.connectionLost("nack failed: \(Self.errorString(status))")
        }
    }

    // MARK: Helpers

    private func checkReply(_ what: String) throws {
        let reply = amqp_get_rpc_reply(state)
        guard reply.reply_type != AMQP_RESPONSE_NORMAL else { return }
        if reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION {
            let error = serverError(reply.reply)
            destroy()
            throw error
        }
        throw AMQPError.connectionLost("\(what): \(Self.describe(reply))")
    }

    private func serverError(_ method: amqp_method_t) -> AMQPError {
        switch method.id {
        case AMQPConstants.channelClose:
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            return .brokerRefused(code: Int(close.reply_code), text: close.reply_text.string)
        case AMQPConstants.connectionClose:
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            return .brokerRefused(code: Int(close.reply_code), text: close.reply_text.string)
        default:
            return .connectionLost("unexpected method 0x\(String(method.id, radix: 16))")
        }
    }

    static func describe(_ reply: amqp_rpc_reply_t) -> String {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL: return "ok"
        case AMQP_RESPONSE_NONE: return "no reply"
        case AMQP_RESPONSE_LIBRARY_EXCEPTION: return errorString(reply.library_error)
        default:
            if reply.reply.id == AMQPConstants.connectionClose {
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                return "\(close.reply_code) \(close.reply_text.string)"
            }
            if reply.reply.id == AMQPConstants.channelClose {
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                return "\(close.reply_code) \(close.reply_text.string)"
            }
            return "server exception 0x\(String(reply.reply.id, radix: 16))"
        }
    }

    static func errorString(_ status: Int32) -> String {
        guard let text = amqp_error_string2(status) else { return "status \(status)" }
        return String(cString: text)
    }

    static func properties(_ raw: amqp_basic_properties_t) -> AMQPProperties {
        let flags = raw._flags
        func text(_ flag: amqp_flags_t, _ bytes: amqp_bytes_t) -> String? {
            (flags & flag) != 0 ? bytes.string : nil
        }
        var headers: [String: String] = [:]
        var deaths: [AMQPDeath] = []
        if (flags & AMQPConstants.headersFlag) != 0, let entries = raw.headers.entries {
            for index in 0..<Int(raw.headers.num_entries) {
                let entry = entries[index]
                if let value = scalarString(entry.value) { headers[entry.key.string] = value }
                if entry.key.string == "x-death" { deaths = self.deaths(entry.value) }
            }
        }
        return AMQPProperties(
            contentType: text(AMQPConstants.contentTypeFlag, raw.content_type),
            messageID: text(AMQPConstants.messageIDFlag, raw.message_id),
            type: text(AMQPConstants.typeFlag, raw.type),
            timestamp: (flags & AMQPConstants.timestampFlag) != 0
                ? Date(timeIntervalSince1970: TimeInterval(min(raw.timestamp, AMQPWireValues.timestamp(.distantFuture))))
                : nil,
            correlationID: text(AMQPConstants.correlationIDFlag, raw.correlation_id),
            appID: text(AMQPConstants.appIDFlag, raw.app_id),
            userID: text(AMQPConstants.userIDFlag, raw.user_id),
            deliveryMode: (flags & AMQPConstants.deliveryModeFlag) != 0 ? raw.delivery_mode : nil,
            headers: headers, deaths: deaths)
    }

    /// The entries of an `x-death` header (an array of tables); anything of another shape is skipped.
    private static func deaths(_ value: amqp_field_value_t) -> [AMQPDeath] {
        guard value.kind == AMQPConstants.kindArray, let items = value.value.array.entries else { return [] }
        var deaths: [AMQPDeath] = []
        for index in 0..<Int(value.value.array.num_entries) where items[index].kind == AMQPConstants.kindTable {
            let table = items[index].value.table
            guard let fields = table.entries else { continue }
            var death = AMQPDeath(queue: "", reason: "", exchange: "", routingKeys: [])
            for field in 0..<Int(table.num_entries) {
                let entry = fields[field]
                switch entry.key.string {
                case "queue": death.queue = scalarString(entry.value) ?? ""
                case "reason": death.reason = scalarString(entry.value) ?? ""
                case "exchange": death.exchange = scalarString(entry.value) ?? ""
                case "routing-keys":
                    guard entry.value.kind == AMQPConstants.kindArray, let keys = entry.value.value.array.entries else {
                        continue
                    }
                    let count = Int(entry.value.value.array.num_entries)
                    death.routingKeys = (0..<count).compactMap { scalarString(keys[$0]) }
                default: break
                }
            }
            deaths.append(death)
        }
        return deaths
    }

    private static func scalarString(_ value: amqp_field_value_t) -> String? {
        switch value.kind {
        case AMQPConstants.kindUTF8, AMQPConstants.kindBytes: return value.value.bytes.string
        case AMQPConstants.kindI8: return String(value.value.i8)
        case AMQPConstants.kindU8: return String(value.value.u8)
        case AMQPConstants.kindI16: return String(value.value.i16)
        case AMQPConstants.kindU16: return String(value.value.u16)
        case AMQPConstants.kindI32: return String(value.value.i32)
        case AMQPConstants.kindU32: return String(value.value.u32)
        case AMQPConstants.kindI64, AMQPConstants.kindTimestamp: return String(value.value.i64)
        case AMQPConstants.kindU64: return String(value.value.u64)
        case AMQPConstants.kindBoolean: return value.value.boolean != 0 ? "true" : "false"
        default: return nil
        }
    }
}
