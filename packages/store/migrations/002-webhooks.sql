-- Webhook delivery cursors: the last hub sequence each webhook's receiver acknowledged (2xx).
-- Events are the stored messages themselves, so a cursor is all a webhook needs to survive
-- receiver outages and hub restarts without losing anything.
CREATE TABLE webhook_cursors (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);
