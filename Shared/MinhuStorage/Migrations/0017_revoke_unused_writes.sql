-- 0017: take back two write grants that no service statement uses (found by a review of every grant against the
-- code, 2026-11-24), so that a compromised service can do less:
-- - minhu_dispatcher never updates cluster_members (a member is inserted once, ON CONFLICT DO NOTHING);
-- - minhu_deadlines never writes deadline_policies: the policy in force is the 'default' row that `minhu migrate`
--   (the owner, ReferenceDataLoader) loads; with the grant, the deadlines service could rewrite every time limit.
-- calendar_days stays writable by minhu_deadlines: `minhu calendar add-off` and `import-year` run as that role.
REVOKE UPDATE ON cluster_members FROM minhu_dispatcher;
REVOKE INSERT, UPDATE, DELETE ON deadline_policies FROM minhu_deadlines;
