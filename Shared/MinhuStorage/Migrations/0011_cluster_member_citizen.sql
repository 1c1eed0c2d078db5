-- 0011: each cluster member keeps a key for its citizen (the first 16 hex digits of the SHA-256 of the masked
-- phone, never the phone), so that a hotspot tells how many people raised it (docs/dispatcher.md). Anonymous
-- appeals and rows from before keep null and count as one person each.
ALTER TABLE cluster_members ADD COLUMN citizen_key text;
