-- 0015: row security on the inbox, and row checks that cost once per statement instead of once per row.
--
-- Until 0015 any service could insert inbox rows under another consumer's name, and so make that consumer skip
-- a message it never applied (its inbox would say "already applied"). A consumer's name is its queue,
-- `<service>.<…>` (e.g. `dispatcher.events`), and a service now records rows only under its own names
-- (`deadlines.events` ↔ role minhu_deadlines). Reading stays open to every service (the rows hold message ids).
--
-- The outbox's policies called minhu_acts_for(producer) for every row: about 7 µs a row under a service role
-- (50,000 rows: 1.03 s against 0.67 s as the owner). The policies below compare with the service roles the current
-- user holds, computed once per statement (an uncorrelated subquery is an InitPlan), with the same meaning:
-- producer `minhu-intake` ↔ role minhu_intake. minhu_service, the group every service holds, names no producer or
-- consumer. The owner (the migration role) is not subject to these policies.

-- The service roles (minhu_*, not the group minhu_service) that the current user is a member of.
CREATE FUNCTION minhu_service_roles_held() RETURNS text[]
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce(pg_catalog.array_agg(r.rolname::text), '{}')
    FROM pg_catalog.pg_roles r
    WHERE r.rolname LIKE 'minhu\_%' AND r.rolname <> 'minhu_service'
      AND pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER')
$$;

ALTER TABLE inbox ENABLE ROW LEVEL SECURITY;

CREATE POLICY inbox_read ON inbox FOR SELECT
    USING (true);
CREATE POLICY inbox_record ON inbox FOR INSERT
    WITH CHECK ('minhu_' || pg_catalog.split_part(consumer, '.', 1)
                = ANY (CAST((SELECT minhu_service_roles_held()) AS text[])));

DROP POLICY outbox_read ON outbox;
DROP POLICY outbox_append ON outbox;
DROP POLICY outbox_relay ON outbox;

CREATE POLICY outbox_read ON outbox FOR SELECT
    USING (is_event OR pg_catalog.replace(producer, '-', '_') = ANY (CAST((SELECT minhu_service_roles_held()) AS text[])));
CREATE POLICY outbox_append ON outbox FOR INSERT
    WITH CHECK (pg_catalog.replace(producer, '-', '_') = ANY (CAST((SELECT minhu_service_roles_held()) AS text[])));
CREATE POLICY outbox_relay ON outbox FOR UPDATE
    USING (pg_catalog.replace(producer, '-', '_') = ANY (CAST((SELECT minhu_service_roles_held()) AS text[])))
    WITH CHECK (pg_catalog.replace(producer, '-', '_') = ANY (CAST((SELECT minhu_service_roles_held()) AS text[])));
