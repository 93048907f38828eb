-- Uploads: each uploader's (`token:<id>`) blob size and upload time (Unix ms), for per-token upload
-- quotas and collecting blobs nothing references. Rows from before count as uploaded now.
ALTER TABLE blob_refs ADD COLUMN size INTEGER;
ALTER TABLE blob_refs ADD COLUMN created_at INTEGER;
UPDATE blob_refs SET created_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000;
CREATE INDEX blob_refs_account ON blob_refs (account);
CREATE INDEX outbox_pending_file ON outbox (json_extract(file, '$.sha256')) WHERE file IS NOT NULL AND state IN ('queued', 'dispatched', 'in_doubt');
