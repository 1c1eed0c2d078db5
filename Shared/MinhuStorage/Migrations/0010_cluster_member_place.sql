-- 0010: each cluster member keeps its whole place (MinhuModels' Place as JSON), so that a hotspot is shown at the
-- place most of its members name rather than at its first member's (docs/dispatcher.md, "Limits"). Rows from
-- before keep null and count only by their place key.
ALTER TABLE cluster_members ADD COLUMN place jsonb;
