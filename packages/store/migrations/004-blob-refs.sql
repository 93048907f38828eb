-- Which accounts' messages reference each stored blob: a client token scoped to some accounts may
-- fetch only the attachments of messages it can see.
CREATE TABLE blob_refs (
  sha256 TEXT NOT NULL,
  account TEXT NOT NULL,
  PRIMARY KEY (sha256, account)
) WITHOUT ROWID;
