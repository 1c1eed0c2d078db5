-- 0014: lifecycle events that minhu-deadlines handled before the appeal.dispatched of their assignment (a requeued
-- delivery, or two copies of the service), kept until that dispatch starts the clocks, which then apply them in
-- the order they happened (docs/deadlines.md, "Events before their dispatch"). Until 0014 such an event was
-- ignored, and a case signed for in time went overdue on its sign-by clock.
CREATE TABLE deadline_early_events (
    appeal_id    uuid        NOT NULL,
    round        integer     NOT NULL CHECK (round >= 1),
    -- Only events of a dispatch attempt wait for it: attempt 0 has no dispatch.
    attempt      integer     NOT NULL CHECK (attempt >= 1),
    event_type   text        NOT NULL,
    occurred_at  timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (appeal_id, round, attempt, event_type, occurred_at)
);

GRANT SELECT ON deadline_early_events TO minhu_service;
GRANT INSERT, DELETE ON deadline_early_events TO minhu_deadlines;
