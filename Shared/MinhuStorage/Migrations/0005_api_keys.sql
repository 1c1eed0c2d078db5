-- 0005: API keys and their roles, one scheme for every service's HTTP API (DESIGN §8, docs/operations.md
-- "API keys and roles"). Owned by the migration role, which alone writes it (the `minhu keys` commands);
-- every service reads it (minhu_service) in its authentication middleware. Keys are never stored in clear: only
-- the hex SHA-256 of the key, and its first 8 characters to tell keys apart in listings.
CREATE TABLE api_keys (
    id           uuid        PRIMARY KEY,
    name         text        NOT NULL CHECK (name <> ''),
    role         text        NOT NULL CHECK (role IN ('agent', 'integrator', 'dispatcher', 'hotline-centre',
                                                      'supervisor', 'observer', 'expert', 'assessor', 'department')),
    channel      text,
    department   text,
    key_hash     text        NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    key_prefix   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    -- An integrator acts for exactly one channel, a department for exactly one department code; no other role
    -- carries either.
    CHECK ((role = 'integrator') = (channel IS NOT NULL)),
    CHECK ((role = 'department') = (department IS NOT NULL))
);
CREATE INDEX api_keys_prefix_idx ON api_keys (key_prefix);

GRANT SELECT ON api_keys TO minhu_service;
