-- The send-event log: one row each time an outbox row reaches an outcome (sent, failed, expired,
-- in doubt…) or its recipient's device moves it on (result.delivery: delivered, read). Written by
-- triggers in the same transaction as the outbox change, so webhooks that follow it with a durable
-- cursor (like messages) miss nothing. Queued and dispatched are not logged: they are not outcomes.
CREATE TABLE send_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  account TEXT NOT NULL,
  state TEXT NOT NULL,
  delivery TEXT,
  at TEXT NOT NULL
);

CREATE TRIGGER outbox_send_event_insert AFTER INSERT ON outbox
WHEN NEW.state NOT IN ('queued', 'dispatched')
BEGIN
  INSERT INTO send_events (key, account, state, delivery, at)
  VALUES (NEW.key, NEW.account, NEW.state, json_extract(NEW.result, '$.delivery'), NEW.updated_at);
END;

CREATE TRIGGER outbox_send_event_update AFTER UPDATE OF state, result ON outbox
WHEN NEW.state NOT IN ('queued', 'dispatched')
  AND (NEW.state IS NOT OLD.state OR json_extract(NEW.result, '$.delivery') IS NOT json_extract(OLD.result, '$.delivery'))
BEGIN
  INSERT INTO send_events (key, account, state, delivery, at)
  VALUES (NEW.key, NEW.account, NEW.state, json_extract(NEW.result, '$.delivery'), NEW.updated_at);
END;
