-- 0008: a commit-ordered sequence number on cluster_members, so copies of minhu-dispatcher catch up on each other's
-- joins (docs/dispatcher.md, "Limits"). Copies insert members only while holding the advisory lock
-- ClusterRegistry.advisoryLockKey, so rows commit in seq order and "seq > last seen" misses none.
-- Existing rows get values; minhu_dispatcher's INSERT grant covers the identity column (no sequence grant needed).
ALTER TABLE cluster_members ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX cluster_members_seq_idx ON cluster_members (seq);
