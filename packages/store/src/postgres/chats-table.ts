import type { ChatRecord } from '../port/records.js';
import { StoreConflictError } from '../port/store.js';
import { type Queryable, stmt } from './pg-session.js';

interface ChatRow {
  id: number;
  account: string;
  guid: string;
  native_id: number;
  identifier: string;
  name: string;
  service: string;
  is_group: boolean;
  participants: string[];
  conversation_id: number;
  last_seq: number;
  last_message_at: string;
}

const toRecord = (r: ChatRow): ChatRecord => ({
  id: r.id,
  account: r.account,
  guid: r.guid,
  nativeId: r.native_id,
  identifier: r.identifier,
  name: r.name,
  service: r.service,
  isGroup: r.is_group,
  participants: r.participants,
  conversationId: r.conversation_id,
  lastSeq: r.last_seq,
  lastMessageAt: r.last_message_at,
});

/** chats: one per (account, chat guid) under a hub id; conversation_id links one conversation's chats. */
export class ChatsTable {
  async maxId(db: Queryable): Promise<number> {
    return (await db.query<{ m: number }>(stmt('SELECT COALESCE(MAX(id), 0)::bigint AS m FROM chats'))).rows[0]!.m;
  }

  /**
   * Upserts by id in one statement. An id already stored for another (account, guid) means another
   * hub allocated it first: StoreConflictError (the caller reloads and plans again).
   */
  async upsert(db: Queryable, chats: readonly ChatRecord[]): Promise<void> {
    if (chats.length === 0) return;
    const list = [...new Map(chats.map((c) => [c.id, c])).values()];
    const r = await db.query(
      stmt(
        `INSERT INTO chats (id, account, guid, native_id, identifier, name, service, is_group, participants, conversation_id, last_seq, last_message_at)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::json[],
                              $10::bigint[], $11::bigint[], $12::text[])
         ON CONFLICT (id) DO UPDATE SET native_id = excluded.native_id, identifier = excluded.identifier, name = excluded.name,
           participants = excluded.participants, conversation_id = excluded.conversation_id, last_seq = excluded.last_seq,
           last_message_at = excluded.last_message_at
         WHERE chats.account = excluded.account AND chats.guid = excluded.guid`,
        [
          list.map((c) => c.id),
          list.map((c) => c.account),
          list.map((c) => c.guid),
          list.map((c) => c.nativeId),
          list.map((c) => c.identifier),
          list.map((c) => c.name),
          list.map((c) => c.service),
          list.map((c) => c.isGroup),
          list.map((c) => JSON.stringify(c.participants)),
          list.map((c) => c.conversationId),
          list.map((c) => c.lastSeq),
          list.map((c) => c.lastMessageAt),
        ],
      ),
    );
    if (r.rowCount !== list.length) throw new StoreConflictError('a chat id in this commit is already stored for another chat');
  }

  async after(db: Queryable, id: number): Promise<ChatRecord[]> {
    return (await db.query<ChatRow>(stmt('SELECT * FROM chats WHERE id > $1 ORDER BY id', [id]))).rows.map(toRecord);
  }
}
