-- 0010: each cluster member keeps its whole place (MinhuModels' Place as JSON), so that a hotspot is shown at the
-- place most of its members name rather than at its first member's, and a key for its citizen (the SHA-256 of the
-- masked phone, never the phone), so that a hotspot tells how many people raised it (docs/dispatcher.md). Rows
-- from before keep null: they count by their place key only, and each as one person.
ALTER TABLE cluster_members ADD COLUMN place jsonb, ADD COLUMN citizen_key text;
