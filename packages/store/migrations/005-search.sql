-- Full-text search over message text (the hub's merged search). Contentless: the text stays in
-- messages.body; the index maps words to hub sequences (rowid = messages.seq). contentless_delete
-- lets an edited or unsent message's old words be removed.
CREATE VIRTUAL TABLE messages_fts USING fts5(text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO messages_fts (rowid, text)
  SELECT seq, json_extract(body, '$.text') FROM messages WHERE is_reaction = 0 AND COALESCE(json_extract(body, '$.text'), '') <> '';
