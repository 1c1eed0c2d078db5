-- 0002: the outbox (every service's outbox and the event log of the whole system) and the consumers' inbox.

-- The outbox keeps message bodies as text, not jsonb: the relay must publish exactly the bytes the producer wrote
-- (jsonb reorders keys, drops duplicates and rewrites numbers and white space), and text, unlike bytea, still
-- reads in psql and casts to jsonb for the timeline query (`body::jsonb`). Text needs a UTF-8 database, checked
-- here; an invalid UTF-8 body is refused when it is inserted, inside the producer's own transaction.
DO $encoding$
BEGIN
    IF pg_catalog.current_setting('server_encoding') <> 'UTF8' THEN
        RAISE EXCEPTION 'Minhu needs a UTF8 database, this one is %', pg_catalog.current_setting('server_encoding');
    END IF;
END
$encoding$;

CREATE TABLE outbox (
    id              bigserial   PRIMARY KEY,
    message_id      uuid        NOT NULL UNIQUE,
    producer        text        NOT NULL CHECK (producer ~ '^[a-z0-9][a-z0-9-]*$'),
    exchange        text        NOT NULL,
    routing_key     text        NOT NULL,
    type            text        NOT NULL,
    occurred_at     timestamptz NOT NULL,
    correlation_id  text,
    app_id          text        NOT NULL,
    user_id         text,
    schema_version  integer     NOT NULL DEFAULT 1,
    headers         jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(headers) = 'object'),
    body            text        NOT NULL,
    -- Events answer the timeline query; acknowledgements, assignments and notices do not.
    is_event        boolean     NOT NULL GENERATED ALWAYS AS (exchange = 'minhu.events') STORED,
    created_at      timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz,
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text
);

COMMENT ON TABLE outbox IS
    'Every message a service emits, inserted in the transaction of the change that caused it; published by the producer''s relay.';
COMMENT ON COLUMN outbox.body IS 'The exact JSON text to publish (text, not jsonb, so the bytes are kept).';
COMMENT ON COLUMN outbox.occurred_at IS 'The message timestamp (AMQP timestamp), from the producer''s clock.';
COMMENT ON COLUMN outbox.next_attempt_at IS 'A row is due when unpublished and next_attempt_at <= now().';

-- What the relay claims: due, unpublished rows of one producer. Stays small: published rows leave it.
CREATE INDEX outbox_pending_idx ON outbox (producer, next_attempt_at) WHERE published_at IS NULL;
-- The timeline of one appeal: its events in order.
CREATE INDEX outbox_timeline_idx ON outbox (correlation_id, id) WHERE is_event;

-- Wake the producer's relays: one notification per producer and statement, delivered when the transaction
-- commits (and never when it rolls back). The payload is the producer.
CREATE FUNCTION outbox_notify() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_catalog.pg_notify('minhu_outbox', p.producer)
    FROM (SELECT DISTINCT producer FROM inserted_rows) AS p;
    RETURN NULL;
END
$$;

CREATE TRIGGER outbox_notify_after_insert
    AFTER INSERT ON outbox
    REFERENCING NEW TABLE AS inserted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- Row security: a service inserts and relays only its own rows (producer 'minhu-intake' ↔ role minhu_intake);
-- events are readable by every service (timelines), other messages only by their producer. The owner (the
-- migration role, e.g. the admin CLI replaying or pruning) is not subject to these policies.
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;

CREATE POLICY outbox_read ON outbox FOR SELECT
    USING (is_event OR minhu_acts_for(producer));
CREATE POLICY outbox_append ON outbox FOR INSERT
    WITH CHECK (minhu_acts_for(producer));
CREATE POLICY outbox_relay ON outbox FOR UPDATE
    USING (minhu_acts_for(producer))
    WITH CHECK (minhu_acts_for(producer));

GRANT SELECT, INSERT ON outbox TO minhu_service;
GRANT UPDATE (published_at, attempts, next_attempt_at, last_error) ON outbox TO minhu_service;
GRANT USAGE ON SEQUENCE outbox_id_seq TO minhu_service;

-- The inbox: which messages each consumer has applied. (consumer, message_id) is inserted in the consumer's
-- transaction with ON CONFLICT DO NOTHING; a message already there is a duplicate, acked and skipped.
CREATE TABLE inbox (
    consumer    text        NOT NULL CHECK (consumer <> ''),
    message_id  uuid        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
);

COMMENT ON TABLE inbox IS 'Messages each consumer has applied (idempotent consumers); old rows may be pruned by the owner.';

CREATE INDEX inbox_received_at_idx ON inbox (received_at);

GRANT SELECT, INSERT ON inbox TO minhu_service;

-- Case numbers: a sequence combined with the day by intake (never a counter row every insert waits on).
CREATE SEQUENCE appeal_number_seq AS bigint;
GRANT USAGE ON SEQUENCE appeal_number_seq TO minhu_intake;
