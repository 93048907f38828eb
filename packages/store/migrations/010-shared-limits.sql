-- Per-account send buckets shared by every hub on the store (token bucket: tokens left at at_ms).
CREATE TABLE send_buckets (
  account TEXT PRIMARY KEY,
  tokens REAL NOT NULL,
  at_ms INTEGER NOT NULL,
  took INTEGER NOT NULL
);

-- Which hub delivers each webhook, until when (a lease it renews while it delivers).
CREATE TABLE webhook_leases (
  id TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  until_ms INTEGER NOT NULL
);
