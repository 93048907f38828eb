-- Blob bytes in the database, so every hub on it can serve every attachment (each hub keeps a copy
-- in its data_dir as a cache). stored_at (Unix ms) is refreshed by every upload of the same bytes:
-- collection deletes a blob's bytes only when its refs went and no upload came since `before`.
CREATE TABLE blob_data (
  sha256 text PRIMARY KEY,
  data bytea NOT NULL,
  stored_at bigint NOT NULL
);
