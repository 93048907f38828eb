-- Tapback rows by the message guid they point at, so a client (the imsg facade) can aggregate a
-- message's current reactions (imsg §3.2) without scanning. Partial: only reaction rows are indexed.
CREATE INDEX messages_reacted_to ON messages (json_extract(body, '$.reacted_to_guid')) WHERE is_reaction = 1;
