import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { appleNanosFromMs } from './apple-date.js';

export interface FixtureDbOptions {
  /** Add message.guid + associated_message_guid/type (imsg's "reaction columns"). Default false. */
  reactionColumns?: boolean;
  /** Create chat_handle_join (imsg's CLI fixture omits it). Default true. */
  chatHandleJoin?: boolean;
}

/**
 * imsg's own RPC test database (Tests/imsgTests/CommandTestDatabase.swift): only the columns imsg
 * requires. Chat 1 `iMessage;+;chat123` "Group Chat" with handles +123 and me@icloud.com, message
 * ROWID 5 "hello" from +123 (guid `msg-guid-5` when reaction columns exist).
 */
export function createImsgFixtureDb(path: string, options: FixtureDbOptions = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    const reactionColumns = options.reactionColumns ? ', guid TEXT, associated_message_guid TEXT, associated_message_type INTEGER' : '';
    db.exec(`
      CREATE TABLE message (ROWID INTEGER PRIMARY KEY, handle_id INTEGER, text TEXT, date INTEGER, is_from_me INTEGER, service TEXT${reactionColumns});
      CREATE TABLE chat (ROWID INTEGER PRIMARY KEY, chat_identifier TEXT, guid TEXT, display_name TEXT, service_name TEXT);
      CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT);
      CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER);
      CREATE TABLE message_attachment_join (message_id INTEGER, attachment_id INTEGER);
      CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY, filename TEXT, transfer_name TEXT, uti TEXT, mime_type TEXT, total_bytes INTEGER, is_sticker INTEGER);
    `);
    if (options.chatHandleJoin !== false) db.exec('CREATE TABLE chat_handle_join (chat_id INTEGER, handle_id INTEGER);');
    db.exec(`
      INSERT INTO chat (ROWID, chat_identifier, guid, display_name, service_name)
        VALUES (1, 'iMessage;+;chat123', 'iMessage;+;chat123', 'Group Chat', 'iMessage');
      INSERT INTO handle (ROWID, id) VALUES (1, '+123'), (2, 'me@icloud.com');
    `);
    if (options.chatHandleJoin !== false) db.exec('INSERT INTO chat_handle_join (chat_id, handle_id) VALUES (1, 1), (1, 2);');
    const date = appleNanosFromMs(Date.now() - 60_000);
    if (options.reactionColumns) {
      db.prepare("INSERT INTO message (ROWID, handle_id, text, date, is_from_me, service, guid) VALUES (5, 1, 'hello', ?, 0, 'iMessage', 'msg-guid-5')").run(
        date,
      );
    } else {
      db.prepare("INSERT INTO message (ROWID, handle_id, text, date, is_from_me, service) VALUES (5, 1, 'hello', ?, 0, 'iMessage')").run(date);
    }
    db.exec('INSERT INTO chat_message_join (chat_id, message_id) VALUES (1, 5);');
  } finally {
    db.close();
  }
}
