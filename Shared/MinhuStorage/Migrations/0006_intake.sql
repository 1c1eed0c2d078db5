-- 0006: the case file (docs/intake.md). Owned by the migration role; minhu_intake writes it.
-- Citizens' full contact details live in citizen_contacts alone, readable only by the roles that must reach the
-- citizen (intake, dispatcher, evaluation); everything else here carries masked data only.

-- One row per accepted appeal. `channel` is the channel it is handled on (`deputy` when the caller is a
-- registered deputy); `arrival_channel` the channel it came in on, which with `external_id` makes a resend the
-- same appeal and which receives the acknowledgement.
CREATE TABLE appeals (
    id               uuid        PRIMARY KEY,
    case_number      text        NOT NULL UNIQUE CHECK (case_number ~ '^[0-9]{8}-[0-9]{6,}$'),
    channel          text        NOT NULL CHECK (channel ~ '^[a-z0-9-]{1,32}$'),
    arrival_channel  text        NOT NULL CHECK (arrival_channel ~ '^[a-z0-9-]{1,32}$'),
    external_id      text        CHECK (external_id <> ''),
    kind             text        CHECK (kind IN ('consultation', 'help', 'complaint', 'report', 'suggestion')),
    title            text        NOT NULL,
    body             text        NOT NULL,
    submitted_at     timestamptz NOT NULL,
    received_at      timestamptz NOT NULL,
    -- MinhuModels' Location as JSON (district, street, community, address, latitude, longitude).
    location         jsonb,
    attachments      text[]      NOT NULL DEFAULT '{}',
    -- MinhuModels' MaskedCitizen as JSON: what events, reports and public views show.
    citizen_masked   jsonb       NOT NULL,
    from_deputy      boolean     NOT NULL DEFAULT false,
    deputy_id        uuid,
    deputy_level     text,
    -- Open311's service_code when the appeal came through Open311 (a categories id).
    service_code     text,
    -- The secret part of the citizen's tracking link (GET /v1/appeals/{case}?token=…).
    tracking_token   text        NOT NULL UNIQUE,
    UNIQUE (arrival_channel, external_id)
);
CREATE INDEX appeals_received_idx ON appeals (received_at);
CREATE INDEX appeals_deputy_idx ON appeals (deputy_id) WHERE deputy_id IS NOT NULL;

-- Full contact details (DESIGN §4). The phone is canonical digits (Citizen.normalizePhone).
CREATE TABLE citizen_contacts (
    appeal_id         uuid    PRIMARY KEY REFERENCES appeals (id),
    name              text,
    phone             text    NOT NULL CHECK (phone ~ '^[0-9]{5,20}$'),
    preferred_channel text,
    anonymous         boolean NOT NULL DEFAULT false
);
CREATE INDEX citizen_contacts_phone_idx ON citizen_contacts (phone);

-- What a citizen adds to an open appeal (`<channel>.supplement`).
CREATE TABLE appeal_supplements (
    id           uuid        PRIMARY KEY,
    appeal_id    uuid        NOT NULL REFERENCES appeals (id),
    channel      text        NOT NULL,
    text         text        NOT NULL,
    attachments  text[]      NOT NULL DEFAULT '{}',
    submitted_at timestamptz NOT NULL,
    received_at  timestamptz NOT NULL
);
CREATE INDEX appeal_supplements_appeal_idx ON appeal_supplements (appeal_id);

-- Idempotency keys of HTTP submissions, per key holder (`scope`: the API key's id): the request's hash and the
-- answer given, replayed for the same key and body.
CREATE TABLE idempotency_keys (
    scope           text        NOT NULL,
    key             text        NOT NULL CHECK (key <> '' AND length(key) <= 255),
    request_hash    text        NOT NULL,
    appeal_id       uuid        NOT NULL REFERENCES appeals (id),
    response_status integer     NOT NULL,
    response_body   text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

-- The current status summary of each appeal, kept by intake from the lifecycle events (DESIGN §2): the event
-- position (round, attempt, rank, time) it was last moved by; an older event is ignored.
CREATE TABLE appeal_status (
    appeal_id        uuid        PRIMARY KEY REFERENCES appeals (id),
    case_number      text        NOT NULL UNIQUE,
    status           text        NOT NULL,
    category         text,
    category_code    text,
    lead_department  text,
    co_departments   text[]      NOT NULL DEFAULT '{}',
    tier             text,
    due_at           timestamptz,
    round            integer     NOT NULL DEFAULT 1,
    attempt          integer     NOT NULL DEFAULT 0,
    rank             integer     NOT NULL DEFAULT 0,
    position_at      timestamptz NOT NULL,
    closed           boolean     NOT NULL DEFAULT false,
    closure_reason   text,
    last_event       text        NOT NULL,
    -- Public text of the latest step for citizens and Open311's status_notes.
    status_notes     text,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX appeal_status_updated_idx ON appeal_status (updated_at);

-- A deputy is identified across imports by name, level and constituency: a re-import updates, never duplicates.
CREATE UNIQUE INDEX deputies_identity_idx ON deputies (name, level, coalesce(constituency, ''));

GRANT SELECT ON appeals, appeal_supplements, appeal_status TO minhu_service;
GRANT INSERT, UPDATE ON appeals, appeal_status TO minhu_intake;
GRANT INSERT ON appeal_supplements TO minhu_intake;
GRANT SELECT, INSERT ON citizen_contacts TO minhu_intake;
GRANT SELECT ON citizen_contacts TO minhu_dispatcher, minhu_evaluation;
GRANT SELECT, INSERT, DELETE ON idempotency_keys TO minhu_intake;
