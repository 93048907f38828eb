-- Hub store, first schema. Append-only: later changes go in 002-*.sql and onward.

-- One row per account: its current chat.db epoch and the highest native rowid committed in it.
CREATE TABLE accounts (
  name TEXT PRIMARY KEY,
  epoch INTEGER NOT NULL DEFAULT 1,
  hwm INTEGER NOT NULL DEFAULT 0,
  last_row_at TEXT,
  message_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);

-- Tokens: only a SHA-256 of the secret is kept. accounts is a JSON array, ["*"] for all.
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  secret_hash BLOB NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('agent', 'client')),
  accounts TEXT NOT NULL,
  label TEXT,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);

-- Chats per account, keyed by the chat guid (stable across a chat.db replacement).
-- conversation_id links chats of several accounts that are one conversation (shared groups).
CREATE TABLE chats (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account TEXT NOT NULL,
  guid TEXT NOT NULL,
  native_id INTEGER NOT NULL,
  identifier TEXT NOT NULL,
  name TEXT NOT NULL,
  service TEXT NOT NULL,
  is_group INTEGER NOT NULL,
  participants TEXT NOT NULL,
  conversation_id INTEGER NOT NULL DEFAULT 0,
  last_seq INTEGER NOT NULL DEFAULT 0,
  last_message_at TEXT NOT NULL DEFAULT '2001-01-01T00:00:00.000Z',
  UNIQUE (account, guid)
);
CREATE INDEX chats_conversation ON chats (conversation_id);
CREATE INDEX chats_guid ON chats (guid);

-- Every stored message copy. seq is the hub sequence; dup_of points at an earlier copy of the same
-- message (same guid) stored for another account.
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  account TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  native_id INTEGER NOT NULL,
  chat_id INTEGER NOT NULL,
  guid TEXT NOT NULL,
  dup_of INTEGER,
  is_from_me INTEGER NOT NULL,
  is_reaction INTEGER NOT NULL,
  replay INTEGER NOT NULL,
  send_key TEXT,
  body TEXT NOT NULL,
  received_at TEXT NOT NULL
);
-- No unique (account, epoch, native_id): ingest is serialised and skips rows at or below the
-- account's high-water mark, so a rowid can't be stored twice; one index less per insert.
-- One copy per (guid, account); also serves lookups by guid alone (copies in other accounts).
CREATE UNIQUE INDEX messages_guid_account ON messages (guid, account) WHERE guid <> '';
CREATE INDEX messages_chat ON messages (chat_id, seq);

-- Our own handles: which account a phone number or email belongs to (configured, or learned from
-- destination_caller_id). A group listing another account's handle is shared with that account.
CREATE TABLE own_handles (
  handle TEXT PRIMARY KEY,
  account TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('config', 'learned'))
);

-- Which account last exchanged messages with a handle (routing by affinity).
CREATE TABLE affinity (
  handle TEXT PRIMARY KEY,
  account TEXT NOT NULL,
  seq INTEGER NOT NULL
);

-- Durable outbox: queued → dispatched → sent | failed | expired.
CREATE TABLE outbox (
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
  state TEXT NOT NULL CHECK (state IN ('queued', 'dispatched', 'sent', 'failed', 'expired')),
  attempts INTEGER NOT NULL DEFAULT 0,
  result TEXT,
  error TEXT,
  message_seq INTEGER,
  expires_at INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX outbox_pending ON outbox (account, state, n) WHERE state IN ('queued', 'dispatched');
CREATE INDEX outbox_guid ON outbox (json_extract(result, '$.guid')) WHERE result IS NOT NULL;
