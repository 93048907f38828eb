-- A subset of the indexes a real macOS chat.db carries (names as Messages creates them), so reads
-- by message, chat and association perform as they do on a Mac. imsg reads them implicitly.
CREATE INDEX IF NOT EXISTS chat_message_join_idx_message_id_only ON chat_message_join(message_id);
CREATE INDEX IF NOT EXISTS chat_message_join_idx_chat_id ON chat_message_join(chat_id);
CREATE INDEX IF NOT EXISTS chat_message_join_idx_message_date_id_chat_id ON chat_message_join(chat_id, message_date, message_id);
CREATE INDEX IF NOT EXISTS chat_handle_join_idx_handle_id ON chat_handle_join(handle_id);
CREATE INDEX IF NOT EXISTS message_attachment_join_idx_message_id ON message_attachment_join(message_id);
CREATE INDEX IF NOT EXISTS handle_idx_id ON handle(id, rowid);
CREATE INDEX IF NOT EXISTS message_idx_associated_message2 ON message(associated_message_guid) WHERE associated_message_guid IS NOT NULL;
CREATE INDEX IF NOT EXISTS chat_idx_chat_identifier ON chat(chat_identifier);
