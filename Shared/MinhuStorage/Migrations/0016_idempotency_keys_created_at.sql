-- 0016: an index on idempotency_keys.created_at, so that `minhu prune idempotency-keys` finds each batch of old
-- answers through the index instead of scanning the whole table (docs/operations.md, "Routine maintenance").
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
