-- Per-account send buckets shared by every hub on the database (token bucket: tokens left at at_ms).
CREATE TABLE send_buckets (
  account text PRIMARY KEY,
  tokens double precision NOT NULL,
  at_ms bigint NOT NULL,
  took boolean NOT NULL
);

-- Which hub delivers each webhook, until when (a lease it renews while it delivers): one hub at a time.
CREATE TABLE webhook_leases (
  id text PRIMARY KEY,
  holder text NOT NULL,
  until_ms bigint NOT NULL
);
