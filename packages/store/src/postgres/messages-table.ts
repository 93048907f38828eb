import type { CopyRecord, MessageQuery, MessageRecord, MessageSearch, StoredBody } from '../port/records.js';
import { type Queryable, type SqlPart, stmt } from './pg-session.js';
import { searchQuery, searchVector } from './search-text.js';
import { type MessageRow as RowOf, messageRecord } from '../port/record-rows.js';

type MessageRow = RowOf<StoredBody, boolean> & { search?: unknown };
const toRecord = (r: MessageRow): MessageRecord => messageRecord(r, (v) => v);

/** messages: every stored copy under its hub sequence, and the queries the hub makes of them. */
export class MessagesTable {
  /** Inserts a commit's copies in one statement (one round trip however many rows). */
  async insert(db: Queryable, list: readonly MessageRecord[]): Promise<void> {
    const part = this.insertPart(list);
    if (part) await db.query(stmt(part.text, part.values));
  }

  /** The insert as a statement of its own or a part of the commit's one. */
  insertPart(list: readonly MessageRecord[]): SqlPart | undefined {
    if (list.length === 0) return undefined;
    return {
      text: `INSERT INTO messages (seq, account, epoch, native_id, chat_id, guid, dup_of, is_from_me, is_reaction, replay, send_key, body, received_at, search)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::bigint[], $5::bigint[], $6::text[], $7::bigint[], $8::boolean[],
                              $9::boolean[], $10::boolean[], $11::text[], $12::json[], $13::text[], $14::tsvector[])`,
      values: [
        list.map((r) => r.seq),
        list.map((r) => r.account),
        list.map((r) => r.epoch),
        list.map((r) => r.nativeId),
        list.map((r) => r.chatId),
        list.map((r) => r.guid),
        list.map((r) => r.dupOf ?? null),
        list.map((r) => r.isFromMe),
        list.map((r) => r.isReaction),
        list.map((r) => r.replay),
        list.map((r) => r.sendKey ?? null),
        list.map((r) => JSON.stringify(r.body)),
        list.map((r) => r.receivedAt),
        list.map((r) => (r.isReaction ? null : searchVector(r.body.text ?? undefined))),
      ],
    };
  }

  async linkEcho(db: Queryable, seq: number, key: string): Promise<void> {
    await db.query(stmt('UPDATE messages SET send_key = $1 WHERE seq = $2', [key, seq]));
  }

  async copies(db: Queryable, guids: readonly string[]): Promise<CopyRecord[]> {
    if (guids.length === 0) return [];
    const r = await db.query<{ guid: string; account: string; seq: number; chat_id: number; is_from_me: boolean }>(
      stmt("SELECT guid, account, seq, chat_id, is_from_me FROM messages WHERE guid = ANY($1::text[]) AND guid <> '' ORDER BY seq", [guids]),
    );
    return r.rows.map((x) => ({ guid: x.guid, account: x.account, seq: x.seq, chatId: x.chat_id, isFromMe: x.is_from_me }));
  }

  /** Newest first, by words (searchQuery), with the query's filters. */
  async search(db: Queryable, q: MessageSearch): Promise<MessageRecord[]> {
    const match = searchQuery(q.words);
    if (match === undefined) return [];
    const values: unknown[] = [];
    const param = (v: unknown, type: string): string => {
      values.push(v);
      return `$${values.length}::${type}`;
    };
    const parts = [`m.search @@ ${param(match, 'tsquery')}`, 'NOT m.is_reaction'];
    narrow(q, parts, param);
    if (q.sender !== undefined) parts.push(`(m.body ->> 'sender') = ${param(q.sender, 'text')}`);
    if (q.fromMe !== undefined) parts.push(`m.is_from_me = ${param(q.fromMe, 'boolean')}`);
    if (q.since !== undefined) parts.push(`(m.body ->> 'created_at') >= ${param(q.since, 'text')}`);
    if (q.until !== undefined) parts.push(`(m.body ->> 'created_at') < ${param(q.until, 'text')}`);
    const sql = `SELECT m.* FROM messages m WHERE ${parts.join(' AND ')} ORDER BY m.seq DESC LIMIT ${param(Math.max(0, Math.floor(q.limit)), 'bigint')}`;
    return (await db.query<MessageRow>(stmt(sql, values))).rows.map(toRecord);
  }

  async query(db: Queryable, q: MessageQuery): Promise<MessageRecord[]> {
    const parts: string[] = [];
    const values: unknown[] = [];
    const param = (v: unknown, type: string): string => {
      values.push(v);
      return `$${values.length}::${type}`;
    };
    if (q.afterSeq !== undefined) parts.push(`m.seq > ${param(q.afterSeq, 'bigint')}`);
    narrow(q, parts, param);
    if (q.includeReactions === false) parts.push('NOT m.is_reaction');
    // Served by the messages_reacted_to index.
    if (q.reactedTo) parts.push(`m.is_reaction AND (m.body ->> 'reacted_to_guid') = ANY(${param(q.reactedTo, 'text[]')})`);
    const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
    const limit = param(Math.max(0, Math.floor(q.limit)), 'bigint');
    const sql = `SELECT m.* FROM messages m ${where} ORDER BY m.seq ${q.order === 'desc' ? 'DESC' : 'ASC'} LIMIT ${limit}`;
    return (await db.query<MessageRow>(stmt(sql, values))).rows.map(toRecord);
  }
}

/** The filters a query and a search share. */
function narrow(
  q: Pick<MessageQuery, 'beforeSeq' | 'accounts' | 'chatIds' | 'firstCopyAmong'>,
  parts: string[],
  param: (v: unknown, type: string) => string,
): void {
  if (q.beforeSeq !== undefined) parts.push(`m.seq < ${param(q.beforeSeq, 'bigint')}`);
  if (q.accounts) parts.push(`m.account = ANY(${param(q.accounts, 'text[]')})`);
  if (q.chatIds) parts.push(`m.chat_id = ANY(${param(q.chatIds, 'bigint[]')})`);
  if (q.firstCopyAmong === 'all') {
    parts.push('m.dup_of IS NULL');
  } else if (q.firstCopyAmong) {
    parts.push(`(m.dup_of IS NULL OR NOT EXISTS (SELECT 1 FROM messages p WHERE p.guid = m.guid AND p.guid <> '' AND p.seq < m.seq
             AND p.account = ANY(${param(q.firstCopyAmong, 'text[]')})))`);
  }
}
