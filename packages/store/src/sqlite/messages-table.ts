import type Database from 'better-sqlite3';
import { StatementCache } from './statement-cache.js';
import type { CopyRecord, MessageQuery, MessageRecord, MessageSearch } from '../port/records.js';
import { type MessageRow as RowOf, messageRecord } from '../port/record-rows.js';

type MessageRow = RowOf<string, number>;
const toRecord = (r: MessageRow): MessageRecord => messageRecord(r, (v) => JSON.parse(v));

/** messages: every stored copy under its hub sequence, and the queries the hub makes of them. */
export class MessagesTable {
  readonly #insert: Database.Statement;
  readonly #max: Database.Statement;
  readonly #linkEcho: Database.Statement;
  readonly #copies: Database.Statement;
  readonly #index: Database.Statement;
  readonly #queries: StatementCache;

  constructor(db: Database.Database) {
    this.#queries = new StatementCache(db);
    this.#insert = db.prepare(
      `INSERT INTO messages (seq, account, epoch, native_id, chat_id, guid, dup_of, is_from_me, is_reaction, replay, send_key, body, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#max = db.prepare('SELECT COALESCE(MAX(seq), 0) AS m FROM messages');
    this.#linkEcho = db.prepare('UPDATE messages SET send_key = ? WHERE seq = ?');
    this.#index = db.prepare('INSERT INTO messages_fts (rowid, text) VALUES (?, ?)');
    this.#copies = db.prepare(
      "SELECT guid, account, seq, chat_id, is_from_me FROM messages WHERE guid IN (SELECT value FROM json_each(?)) AND guid <> '' ORDER BY seq",
    );
  }

  maxSeq(): number {
    return (this.#max.get() as { m: number }).m;
  }

  insert(r: MessageRecord): void {
    this.#insert.run(
      r.seq,
      r.account,
      r.epoch,
      r.nativeId,
      r.chatId,
      r.guid,
      r.dupOf ?? null,
      r.isFromMe ? 1 : 0,
      r.isReaction ? 1 : 0,
      r.replay ? 1 : 0,
      r.sendKey ?? null,
      JSON.stringify(r.body),
      r.receivedAt,
    );
    if (!r.isReaction && r.body.text) this.#index.run(r.seq, r.body.text);
  }

  linkEcho(seq: number, key: string): void {
    this.#linkEcho.run(key, seq);
  }

  copies(guids: readonly string[]): CopyRecord[] {
    if (guids.length === 0) return [];
    return (this.#copies.all(JSON.stringify(guids)) as { guid: string; account: string; seq: number; chat_id: number; is_from_me: number }[]).map((r) => ({
      guid: r.guid,
      account: r.account,
      seq: r.seq,
      chatId: r.chat_id,
      isFromMe: r.is_from_me === 1,
    }));
  }

  /** Newest first: FTS5 walks its matches in descending rowid (= seq), so a page stops early. */
  search(q: MessageSearch): MessageRecord[] {
    const parts = ['messages_fts MATCH @match'];
    const params: Record<string, unknown> = { limit: q.limit, match: ftsQuery(q.words) };
    this.#narrow(q, parts, params);
    if (q.sender !== undefined) {
      parts.push("json_extract(m.body, '$.sender') = @sender");
      params['sender'] = q.sender;
    }
    if (q.fromMe !== undefined) {
      parts.push('m.is_from_me = @from_me');
      params['from_me'] = q.fromMe ? 1 : 0;
    }
    if (q.since !== undefined) {
      parts.push("json_extract(m.body, '$.created_at') >= @since");
      params['since'] = q.since;
    }
    if (q.until !== undefined) {
      parts.push("json_extract(m.body, '$.created_at') < @until");
      params['until'] = q.until;
    }
    const sql = `SELECT m.* FROM messages_fts f JOIN messages m ON m.seq = f.rowid WHERE ${parts.join(' AND ')} ORDER BY f.rowid DESC LIMIT @limit`;
    return (this.#queries.get(sql).all(params) as MessageRow[]).map(toRecord);
  }

  /** The filters a query and a search share. */
  #narrow(q: Pick<MessageQuery, 'beforeSeq' | 'accounts' | 'chatIds' | 'firstCopyAmong'>, parts: string[], params: Record<string, unknown>): void {
    if (q.beforeSeq !== undefined) {
      parts.push('m.seq < @before');
      params['before'] = q.beforeSeq;
    }
    if (q.accounts) {
      parts.push('m.account IN (SELECT value FROM json_each(@accounts))');
      params['accounts'] = JSON.stringify(q.accounts);
    }
    if (q.chatIds) {
      parts.push('m.chat_id IN (SELECT value FROM json_each(@chats))');
      params['chats'] = JSON.stringify(q.chatIds);
    }
    if (q.firstCopyAmong === 'all') {
      parts.push('m.dup_of IS NULL');
    } else if (q.firstCopyAmong) {
      parts.push(`(m.dup_of IS NULL OR NOT EXISTS (SELECT 1 FROM messages p WHERE p.guid = m.guid AND p.guid <> '' AND p.seq < m.seq
               AND p.account IN (SELECT value FROM json_each(@among))))`);
      params['among'] = JSON.stringify(q.firstCopyAmong);
    }
  }

  query(q: MessageQuery): MessageRecord[] {
    const parts: string[] = [];
    const params: Record<string, unknown> = { limit: q.limit };
    if (q.afterSeq !== undefined) {
      parts.push('m.seq > @after');
      params['after'] = q.afterSeq;
    }
    this.#narrow(q, parts, params);
    if (q.includeReactions === false) parts.push('m.is_reaction = 0');
    if (q.reactedTo) {
      // Served by the messages_reacted_to index.
      parts.push("m.is_reaction = 1 AND json_extract(m.body, '$.reacted_to_guid') IN (SELECT value FROM json_each(@reacted))");
      params['reacted'] = JSON.stringify(q.reactedTo);
    }
    const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
    const sql = `SELECT m.* FROM messages m ${where} ORDER BY m.seq ${q.order === 'desc' ? 'DESC' : 'ASC'} LIMIT @limit`;
    return (this.#queries.get(sql).all(params) as MessageRow[]).map(toRecord);
  }
}

/** Each word as an FTS5 phrase (quotes doubled, so no word is query syntax); the last also as a prefix. */
export function ftsQuery(words: readonly string[]): string {
  return words.map((w, i) => `"${w.replaceAll('"', '""')}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}
