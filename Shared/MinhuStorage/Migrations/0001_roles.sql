-- 0001: the service roles.
--
-- Roles are cluster-wide, while migrations run once per database: several databases of one cluster (test
-- databases, staging next to production) migrate independently, possibly at the same moment. So every role is
-- created only if missing, and a concurrent creation by another database's migration (duplicate_object, or a
-- unique_violation on the role catalog's index) counts as success. Nothing here ALTERs a role or comments on it:
-- concurrent updates of one shared catalog row fail with "tuple concurrently updated".
--
-- minhu_service is a NOLOGIN group holding what every service may do (read reference data and read models,
-- append to the outbox and inbox). Each service has a NOLOGIN role of its own, member of minhu_service; an
-- operator lets a service log in either with `ALTER ROLE minhu_intake LOGIN PASSWORD '…'` or, better, by
-- granting the role to a login user of the deployment (`CREATE ROLE intake_app LOGIN PASSWORD '…' IN ROLE
-- minhu_intake`). Tables are owned by whoever runs the migrations (the migration role), never by these roles.

DO $roles$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['minhu_service', 'minhu_intake', 'minhu_dispatcher', 'minhu_deadlines',
                                     'minhu_supervision', 'minhu_evaluation', 'minhu_reporting']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = role_name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- created meanwhile by a migration of another database
            END;
        END IF;
    END LOOP;

    FOREACH role_name IN ARRAY ARRAY['minhu_intake', 'minhu_dispatcher', 'minhu_deadlines', 'minhu_supervision',
                                     'minhu_evaluation', 'minhu_reporting']
    LOOP
        IF NOT pg_catalog.pg_has_role(role_name, 'minhu_service', 'MEMBER') THEN
            BEGIN
                EXECUTE format('GRANT minhu_service TO %I', role_name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
END
$roles$;

-- Services check the schema version at start-up (Migrator.requireSchema).
GRANT SELECT ON schema_migrations TO minhu_service;

-- True when the current user may act for `producer` (e.g. 'minhu-intake' → member of role minhu_intake). Used by
-- the row-security policies of the outbox. A producer without a role of that name is nobody's (false).
CREATE FUNCTION minhu_acts_for(producer text) RETURNS boolean
    LANGUAGE sql STABLE
AS $$
    SELECT EXISTS (
        SELECT 1
        FROM pg_catalog.pg_roles r
        WHERE r.rolname = pg_catalog.replace(producer, '-', '_')
          AND pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER')
    )
$$;
