/// An `AsyncSequence` of single deliveries over a consumer's batches.
public struct AMQPDeliverySequence: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery
    let batches: AsyncStream<[AMQPDelivery]>

    public struct AsyncIterator: AsyncIteratorProtocol {
        var inner: AsyncStream<[AMQPDelivery]>.AsyncIterator
        var pending: [AMQPDelivery] = []
        var index = 0

        public mutating func next() async -> AMQPDelivery? {
            while index >= pending.count {
                guard let batch = await inner.next() else { return nil }
                pending = batch
                index = 0
            }
            defer { index += 1 }
            return pending[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: batches.makeAsyncIterator()) }
}
