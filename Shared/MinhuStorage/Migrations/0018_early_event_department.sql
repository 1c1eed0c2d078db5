-- 0018: a kept early event (0014) remembers the department it names, so that the dispatch that applies it can
-- ignore a co-department's signature, progress or return, as minhu-deadlines does for events handled after their
-- dispatch (docs/messages.md, "For departments"). '' for an event that names no department (a supplement, a close).
ALTER TABLE deadline_early_events ADD COLUMN department text NOT NULL DEFAULT '';
ALTER TABLE deadline_early_events DROP CONSTRAINT deadline_early_events_pkey;
ALTER TABLE deadline_early_events ADD PRIMARY KEY (appeal_id, round, attempt, event_type, occurred_at, department);
