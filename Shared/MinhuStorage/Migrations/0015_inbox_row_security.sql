-- 0015: row security on the inbox. Until 0015 any service could insert rows under another consumer's name, and
-- so make that consumer skip a message it never applied (its inbox would say "already applied"). A consumer's
-- name is its queue, `<service>.<…>` (e.g. `dispatcher.events`), and a service records rows only under its own
-- names: `deadlines.events` ↔ role minhu_deadlines, through minhu_acts_for (role membership), as the outbox does.
-- Reading stays open to every service (the rows hold message ids only). The owner (the migration role) is not
-- subject to these policies.
CREATE FUNCTION minhu_consumes_as(consumer text) RETURNS boolean
    LANGUAGE sql STABLE
AS $$
    SELECT minhu_acts_for('minhu-' || pg_catalog.split_part(consumer, '.', 1))
$$;

ALTER TABLE inbox ENABLE ROW LEVEL SECURITY;

CREATE POLICY inbox_read ON inbox FOR SELECT
    USING (true);
CREATE POLICY inbox_record ON inbox FOR INSERT
    WITH CHECK (minhu_consumes_as(consumer));
