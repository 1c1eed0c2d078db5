/// PostgreSQL for Minhu: the connection pool (``MinhuDatabase``), migrations (``Migrator``), reference data
/// (``ReferenceDataLoader``), the outbox (``OutboxWriter``, ``OutboxRelay``) and the inbox (``Inbox``,
/// ``ConsumerTransaction``). See `docs/database.md`.
///
/// Storage never imports messaging: the relay publishes through `MessagePublishing` from MinhuModels.
public enum MinhuStorage {
    /// The `LISTEN`/`NOTIFY` channel the outbox trigger notifies on commit; the payload is the producer.
    public static let outboxChannel = "minhu_outbox"
    /// The exchange whose messages are events (`outbox.is_event`): they answer the timeline query.
    public static let eventsExchange = "minhu.events"
}
