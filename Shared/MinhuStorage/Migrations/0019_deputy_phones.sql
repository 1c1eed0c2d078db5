-- 0019: deputies' phone numbers only for the service that recognises callers by them. Reference tables stay
-- readable by every service (DESIGN §4), but a deputy's phones are personal data that only minhu-intake uses (found
-- by a review of every grant against the code, 2026-11-25): the other services keep every other column.
REVOKE SELECT ON deputies FROM minhu_service;
GRANT SELECT (id, name, level, constituency, active, updated_at) ON deputies TO minhu_service;
GRANT SELECT ON deputies TO minhu_intake;
