import type { ChatRecord } from '../port/records.js';
import { type ChatRow as RowOf, chatRecord } from '../port/record-rows.js';
import { StoreConflictError } from '../port/store.js';
import { type Queryable, type SqlPart, stmt } from './pg-session.js';

/** A chat id of the commit is stored for another chat: another hub allocated it first. */
export const CHAT_TAKEN = 'a chat id in this commit is already stored for another chat';

type ChatRow = RowOf<string[], boolean>;
const toRecord = (r: ChatRow): ChatRecord => chatRecord(r, (v) => v);

/** chats: one per (account, chat guid) under a hub id; conversation_id links one conversation's chats. */
export class ChatsTable {
  /**
   * Upserts by id in one statement. An id already stored for another (account, guid) means another
   * hub allocated it first: StoreConflictError (the caller reloads and plans again).
   */
  async upsert(db: Queryable, chats: readonly ChatRecord[]): Promise<void> {
    const part = this.upsertPart(chats);
    if (!part) return;
    const r = await db.query(stmt(part.text, part.values));
    if (r.rowCount !== part.rows) throw new StoreConflictError(CHAT_TAKEN);
  }

  /** The upsert as a statement of its own or a part of the commit's one (`rows`: how many it must touch). */
  upsertPart(chats: readonly ChatRecord[]): (SqlPart & { rows: number }) | undefined {
    if (chats.length === 0) return undefined;
    const list = [...new Map(chats.map((c) => [c.id, c])).values()];
    return {
      rows: list.length,
      text: `INSERT INTO chats (id, account, guid, native_id, identifier, name, service, is_group, participants, conversation_id, last_seq, last_message_at)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::json[],
                              $10::bigint[], $11::bigint[], $12::text[])
         ON CONFLICT (id) DO UPDATE SET native_id = excluded.native_id, identifier = excluded.identifier, name = excluded.name,
           participants = excluded.participants, conversation_id = excluded.conversation_id, last_seq = excluded.last_seq,
           last_message_at = excluded.last_message_at
         WHERE chats.account = excluded.account AND chats.guid = excluded.guid`,
      values: [
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
    };
  }

  async after(db: Queryable, id: number): Promise<ChatRecord[]> {
    return (await db.query<ChatRow>(stmt('SELECT * FROM chats WHERE id > $1 ORDER BY id', [id]))).rows.map(toRecord);
  }
}
