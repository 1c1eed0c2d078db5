-- 0007: the dispatcher's clusters of similar appeals (同源诉求) and the manual dispatch desk (docs/dispatcher.md).
-- Owned by the migration role; minhu_dispatcher writes them; every service reads them.

-- A cluster of similar appeals. `hotspot_levels_emitted` holds the thresholds whose hotspot.detected is already in
-- the outbox, updated in the same transaction as the emission (so a redelivery or a second copy never emits twice).
CREATE TABLE clusters (
    id                     uuid        PRIMARY KEY,
    title                  text        NOT NULL,
    -- MinhuModels' Place as JSON (district, street, community, road): the first member's.
    place                  jsonb       NOT NULL DEFAULT '{}',
    -- The first-level category of the first automatically classified member, if any.
    category               text,
    first_at               timestamptz NOT NULL,
    last_at                timestamptz NOT NULL,
    size                   integer     NOT NULL DEFAULT 0 CHECK (size >= 0),
    hotspot_levels_emitted integer[]   NOT NULL DEFAULT '{}',
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clusters_last_idx ON clusters (last_at);

-- One row per appeal: the cluster it joined. Title, excerpt and place key let a restarted dispatcher rebuild its
-- in-memory similarity index from the recent window.
CREATE TABLE cluster_members (
    appeal_id      uuid        PRIMARY KEY,
    cluster_id     uuid        NOT NULL REFERENCES clusters (id),
    case_number    text        NOT NULL,
    title          text        NOT NULL,
    detail_excerpt text        NOT NULL,
    place_key      text,
    joined_at      timestamptz NOT NULL
);
CREATE INDEX cluster_members_cluster_idx ON cluster_members (cluster_id, joined_at);
CREATE INDEX cluster_members_joined_idx ON cluster_members (joined_at);
CREATE INDEX cluster_members_case_idx ON cluster_members (case_number);

-- The manual dispatch desk (人工派单): appeals the classifier was not confident about, and the decisions taken.
CREATE TABLE desk_items (
    appeal_id          uuid        PRIMARY KEY,
    case_number        text        NOT NULL UNIQUE,
    round              integer     NOT NULL CHECK (round >= 1),
    attempt            integer     NOT NULL CHECK (attempt >= 0),
    channel            text        NOT NULL,
    title              text        NOT NULL,
    body               text        NOT NULL,
    suggested_category text,
    confidence         double precision NOT NULL,
    kind               text        NOT NULL CHECK (kind IN ('consultation', 'help', 'complaint', 'report', 'suggestion')),
    urgency            text        NOT NULL CHECK (urgency IN ('normal', 'urgent', 'emergency')),
    tier               text        NOT NULL CHECK (tier IN ('immediate', 'deadline', 'research')),
    place              jsonb       NOT NULL DEFAULT '{}',
    cluster_id         uuid,
    created_at         timestamptz NOT NULL,
    decided_at         timestamptz,
    decided_by         text,
    decided_level1     text,
    decided_level2     text,
    decided_level3     text,
    decided_department text,
    decided_kind       text,
    decided_urgency    text,
    decided_tier       text,
    CHECK ((decided_at IS NULL) = (decided_by IS NULL)),
    CHECK (decided_at IS NULL OR (decided_level1 IS NOT NULL AND decided_department IS NOT NULL))
);
CREATE INDEX desk_items_open_idx ON desk_items (created_at) WHERE decided_at IS NULL;
CREATE INDEX desk_items_decided_idx ON desk_items (decided_at) WHERE decided_at IS NOT NULL;

GRANT SELECT ON clusters, cluster_members, desk_items TO minhu_service;
GRANT INSERT, UPDATE ON clusters, cluster_members, desk_items TO minhu_dispatcher;
