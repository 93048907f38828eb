-- A send whose outcome is unknown is `in_doubt` (it no longer holds its chat's queue); `resolution`
-- carries an operator's decision (`resend`) to the next dispatch. SQLite cannot change a CHECK
-- constraint in place: the table is rebuilt with the same rows.
CREATE TABLE outbox_v7 (
  key TEXT PRIMARY KEY,
  n INTEGER NOT NULL UNIQUE,
  account TEXT NOT NULL,
  target TEXT NOT NULL,
  route TEXT NOT NULL,
  chat_id INTEGER,
  params TEXT NOT NULL,
  file TEXT,
  request_hash TEXT NOT NULL,
  client TEXT,
  state TEXT NOT NULL CHECK (state IN ('queued', 'dispatched', 'sent', 'failed', 'expired', 'in_doubt')),
  attempts INTEGER NOT NULL DEFAULT 0,
  result TEXT,
  error TEXT,
  message_seq INTEGER,
  expires_at INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  method TEXT NOT NULL DEFAULT 'send',
  resolution TEXT CHECK (resolution IN ('resend'))
);
INSERT INTO outbox_v7 (key, n, account, target, route, chat_id, params, file, request_hash, client, state, attempts, result, error,
                       message_seq, expires_at, created_at, updated_at, method)
  SELECT key, n, account, target, route, chat_id, params, file, request_hash, client, state, attempts, result, error,
         message_seq, expires_at, created_at, updated_at, method FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v7 RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (account, state, n) WHERE state IN ('queued', 'dispatched');
CREATE INDEX outbox_guid ON outbox (json_extract(result, '$.guid')) WHERE result IS NOT NULL;
CREATE INDEX outbox_in_doubt ON outbox (account, n) WHERE state = 'in_doubt';
