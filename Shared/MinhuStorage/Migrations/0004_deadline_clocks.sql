-- 0004: the deadlines service's clocks and extension requests (docs/deadlines.md, "Service").
-- Owned by the migration role; minhu_deadlines writes them; every service reads them.

-- One row per appeal, round, dispatch attempt and clock (sign-by 签收 / reply-by 办理).
CREATE TABLE deadline_clocks (
    appeal_id         uuid        NOT NULL,
    round             integer     NOT NULL CHECK (round >= 1),
    attempt           integer     NOT NULL CHECK (attempt >= 0),
    clock             text        NOT NULL CHECK (clock IN ('sign', 'reply')),
    case_number       text        NOT NULL,
    department        text        NOT NULL,
    policy            text        NOT NULL,
    -- The limit as DeadlineLimit's JSON ({"workingDays": 5}, {"hours": 2}, {"sameWorkingDay": true}): working
    -- limits measure warnings and pauses in working time, hour limits in calendar time.
    limit_spec        jsonb       NOT NULL,
    started_at        timestamptz NOT NULL,
    -- Where the warning shares are measured from: started_at moved later by the paused time.
    window_start      timestamptz NOT NULL,
    due_at            timestamptz NOT NULL,
    state             text        NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'paused', 'stopped')),
    paused_at         timestamptz,
    paused_seconds    double precision NOT NULL DEFAULT 0,
    stopped_at        timestamptz,
    stop_reason       text,
    extensions_used   integer     NOT NULL DEFAULT 0,
    -- Warning shares already emitted (e.g. {0.6,0.8}).
    warnings_emitted  double precision[] NOT NULL DEFAULT '{}',
    overdue_emitted   boolean     NOT NULL DEFAULT false,
    -- The next warning or overdue instant; NULL when nothing is left to emit.
    next_check_at     timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (appeal_id, round, attempt, clock),
    CHECK (state <> 'paused' OR paused_at IS NOT NULL)
);
-- The watcher's tick: running clocks whose next instant has come, through this index only.
CREATE INDEX deadline_clocks_due_idx ON deadline_clocks (next_check_at) WHERE state = 'running';
CREATE INDEX deadline_clocks_case_idx ON deadline_clocks (case_number);

-- Extension requests (申请延期) and their decisions (延期审批).
CREATE TABLE deadline_extension_requests (
    id              bigserial   PRIMARY KEY,
    appeal_id       uuid        NOT NULL,
    case_number     text        NOT NULL,
    round           integer     NOT NULL CHECK (round >= 1),
    attempt         integer     NOT NULL CHECK (attempt >= 0),
    department      text        NOT NULL,
    requested_days  integer     NOT NULL,
    request_reason  text        NOT NULL DEFAULT '',
    requested_at    timestamptz NOT NULL,
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'denied')),
    granted_days    integer,
    decided_by      text,
    decided_at      timestamptz,
    decision_reason text,
    CHECK ((state = 'pending') = (decided_at IS NULL))
);
CREATE INDEX deadline_extension_requests_appeal_idx ON deadline_extension_requests (appeal_id, round, attempt);
CREATE INDEX deadline_extension_requests_case_idx ON deadline_extension_requests (case_number);

GRANT SELECT ON deadline_clocks, deadline_extension_requests TO minhu_service;
GRANT INSERT, UPDATE ON deadline_clocks, deadline_extension_requests TO minhu_deadlines;
GRANT USAGE ON SEQUENCE deadline_extension_requests_id_seq TO minhu_deadlines;
