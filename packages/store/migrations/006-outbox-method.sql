-- The imsg method an outbox row is passed to: send, or an action (tapback, message.edit, …).
ALTER TABLE outbox ADD COLUMN method TEXT NOT NULL DEFAULT 'send';
