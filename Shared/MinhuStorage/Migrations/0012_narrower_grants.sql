-- 0012: grants no wider than the code (a review of 2026-11-24 compared every statement each service runs with
-- what its role may do). Nothing any service does changes; what none of them does is no longer allowed.
--
-- minhu-intake never updates a case file once written (resends are ON CONFLICT DO NOTHING), never deletes an
-- idempotency key (the owner prunes them) and never deletes a deputy (the import inserts or updates).
REVOKE UPDATE ON appeals FROM minhu_intake;
REVOKE DELETE ON idempotency_keys FROM minhu_intake;
REVOKE DELETE ON deputies FROM minhu_intake;

-- An appeal's tracking token is the citizen's key to the case: only minhu-intake, which checks tracking links,
-- reads it. The other services read every other column.
REVOKE SELECT ON appeals FROM minhu_service;
GRANT SELECT ON appeals TO minhu_intake;
GRANT SELECT (id, case_number, channel, arrival_channel, external_id, kind, title, body, submitted_at, received_at,
              location, attachments, citizen_masked, from_deputy, deputy_id, deputy_level, service_code)
    ON appeals TO minhu_service;
