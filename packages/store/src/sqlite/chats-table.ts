import type Database from 'better-sqlite3';
import type { ChatRecord } from '../port/records.js';
import { type ChatRow as RowOf, chatRecord } from '../port/record-rows.js';

type ChatRow = RowOf<string, number>;
const toRecord = (r: ChatRow): ChatRecord => chatRecord(r, (v) => JSON.parse(v));

/** chats: one per (account, chat guid) under a hub id; conversation_id links one conversation's chats. */
export class ChatsTable {
  readonly #upsert: Database.Statement;
  readonly #after: Database.Statement;
  readonly #max: Database.Statement;

  constructor(db: Database.Database) {
    this.#upsert = db.prepare(
      `INSERT INTO chats (id, account, guid, native_id, identifier, name, service, is_group, participants, conversation_id, last_seq, last_message_at)
       VALUES (@id, @account, @guid, @native_id, @identifier, @name, @service, @is_group, @participants, @conversation_id, @last_seq, @last_message_at)
       ON CONFLICT (id) DO UPDATE SET native_id = excluded.native_id, identifier = excluded.identifier, name = excluded.name,
         participants = excluded.participants, conversation_id = excluded.conversation_id, last_seq = excluded.last_seq,
         last_message_at = excluded.last_message_at`,
    );
    this.#after = db.prepare('SELECT * FROM chats WHERE id > ? ORDER BY id');
    this.#max = db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM chats');
  }

  maxId(): number {
    return (this.#max.get() as { m: number }).m;
  }

  upsert(c: ChatRecord): void {
    this.#upsert.run({
      id: c.id,
      account: c.account,
      guid: c.guid,
      native_id: c.nativeId,
      identifier: c.identifier,
      name: c.name,
      service: c.service,
      is_group: c.isGroup ? 1 : 0,
      participants: JSON.stringify(c.participants),
      conversation_id: c.conversationId,
      last_seq: c.lastSeq,
      last_message_at: c.lastMessageAt,
    });
  }

  after(id: number): ChatRecord[] {
    return (this.#after.all(id) as ChatRow[]).map(toRecord);
  }
}
