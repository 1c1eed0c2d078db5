import MinhuMessaging

/// Joins the consumer's batches that pile up while the previous one is being processed, so that a busy consumer
/// commits many deliveries per transaction (one inbox insert, one outbox insert, one multiple-ack) instead of the
/// few that arrived in one socket read. Order is kept; a batch never holds more than `limit` deliveries.
actor DeliveryCoalescer {
    private var buffer: [AMQPDelivery] = []
    private var finished = false
    private var waiter: CheckedContinuation<Void, Never>?
    private let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Adds a batch. Deliveries of an older connection still waiting are dropped: they can no longer be acked,
    /// and the broker delivers them again on the new connection (so a consumer that reconnects while its
    /// processing is stuck holds one prefetch window, not one per reconnection).
    func append(_ batch: [AMQPDelivery]) {
        if let newest = batch.map(\.generation).max() {
            buffer.removeAll { $0.generation < newest }
        }
        buffer.append(contentsOf: batch)
        wake()
    }

    /// No more deliveries will come (the stream ended).
    func finish() {
        finished = true
        wake()
    }

    /// Everything waiting (up to `limit`), waiting for the next delivery when there is none; nil once finished and
    /// empty.
    func next() async -> [AMQPDelivery]? {
        while buffer.isEmpty {
            if finished { return nil }
            await withCheckedContinuation { waiter = $0 }
        }
        let count = min(limit, buffer.count)
        let batch = Array(buffer.prefix(count))
        buffer.removeFirst(count)
        return batch
    }

    private func wake() {
        waiter?.resume()
        waiter = nil
    }
}
