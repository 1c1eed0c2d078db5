-- 0003: reference data. `minhu migrate` loads the data the project ships into these tables when they are empty
-- (ReferenceDataLoader); afterwards they belong to the jurisdiction. Every service reads them; writers:
-- departments and categories: the owner (the admin CLI's imports); calendar_days and deadline_policies:
-- minhu_deadlines; deputies: minhu_intake (the deputies registry is part of the case file).

-- Departments appeals are dispatched to (承办单位). The code names the department's queue `dept.<code>` and
-- prefixes its routing keys on `minhu.department`, so it is one routing-key word: [a-z0-9-], no dot.
CREATE TABLE departments (
    code       text        PRIMARY KEY CHECK (code ~ '^[a-z0-9-]{1,64}$'),
    name       text        NOT NULL CHECK (name <> ''),
    parent     text        REFERENCES departments (code),
    active     boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (parent IS DISTINCT FROM code)
);

-- The three-level appeal taxonomy (一级/二级/三级分类). Levels 2 and 3 may be absent for a coarser category.
CREATE TABLE categories (
    id     integer PRIMARY KEY,
    level1 text    NOT NULL CHECK (level1 <> ''),
    level2 text    CHECK (level2 <> ''),
    level3 text    CHECK (level3 <> ''),
    active boolean NOT NULL DEFAULT true,
    CHECK (level3 IS NULL OR level2 IS NOT NULL)
);
CREATE UNIQUE INDEX categories_path_idx ON categories (level1, coalesce(level2, ''), coalesce(level3, ''));

-- Days that differ from "Monday to Friday is a working day": public holidays and make-up working days (调休)
-- as the State Council announces them (source 'builtin', shipped with Minhu), and the jurisdiction's own days
-- off (kind 'off', source 'local').
CREATE TABLE calendar_days (
    day        date        PRIMARY KEY,
    kind       text        NOT NULL CHECK (kind IN ('holiday', 'workday', 'off')),
    name       text        NOT NULL DEFAULT '',
    source     text        NOT NULL DEFAULT 'local' CHECK (source IN ('builtin', 'local')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'workday' OR extract(isodow FROM day) IN (6, 7))
);

-- Deadline policy documents (the JSON format of MinhuModels' DeadlinePolicySet); the row named 'default' is
-- the one in force unless the deadlines service is told otherwise.
CREATE TABLE deadline_policies (
    name        text        PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]*$'),
    description text        NOT NULL DEFAULT '',
    document    jsonb       NOT NULL CHECK (jsonb_typeof(document) = 'object'),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Registered people's-congress deputies (人大代表): a call or message from one of their phones is recognised at
-- intake. Phones are stored normalised (digits only, see Citizen.normalizePhone), so lookups are exact:
-- `WHERE phones @> ARRAY[$1]` uses the GIN index.
CREATE FUNCTION minhu_phones_are_normalised(phones text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT coalesce(bool_and(p IS NOT NULL AND p ~ '^[0-9]{5,20}$'), true) FROM unnest(phones) AS p
$$;

CREATE TABLE deputies (
    id           uuid        PRIMARY KEY,
    name         text        NOT NULL CHECK (name <> ''),
    phones       text[]      NOT NULL DEFAULT '{}' CHECK (minhu_phones_are_normalised(phones)),
    level        text        NOT NULL CHECK (level IN ('national', 'provincial', 'city', 'county', 'township')),
    constituency text,
    active       boolean     NOT NULL DEFAULT true,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deputies_phones_idx ON deputies USING gin (phones);

GRANT SELECT ON departments, categories, calendar_days, deadline_policies, deputies TO minhu_service;
GRANT INSERT, UPDATE, DELETE ON calendar_days, deadline_policies TO minhu_deadlines;
GRANT INSERT, UPDATE, DELETE ON deputies TO minhu_intake;
