import type Database from 'better-sqlite3';
import type { CopyRecord, MessageQuery, MessageRecord, StoredBody } from '../port/records.js';

interface MessageRow {
  seq: number;
  account: string;
  epoch: number;
  native_id: number;
  chat_id: number;
  guid: string;
  dup_of: number | null;
  is_from_me: number;
  is_reaction: number;
  replay: number;
  send_key: string | null;
  body: string;
  received_at: string;
}

const toRecord = (r: MessageRow): MessageRecord => ({
  seq: r.seq,
  account: r.account,
  epoch: r.epoch,
  nativeId: r.native_id,
  chatId: r.chat_id,
  guid: r.guid,
  dupOf: r.dup_of ?? undefined,
  isFromMe: r.is_from_me === 1,
  isReaction: r.is_reaction === 1,
  replay: r.replay === 1,
  sendKey: r.send_key ?? undefined,
  body: JSON.parse(r.body) as StoredBody,
  receivedAt: r.received_at,
});

/** messages: every stored copy under its hub sequence, and the queries the hub makes of them. */
export class MessagesTable {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #max: Database.Statement;
  readonly #linkEcho: Database.Statement;
  readonly #copies: Database.Statement;
  readonly #queries = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO messages (seq, account, epoch, native_id, chat_id, guid, dup_of, is_from_me, is_reaction, replay, send_key, body, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#max = db.prepare('SELECT COALESCE(MAX(seq), 0) AS m FROM messages');
    this.#linkEcho = db.prepare('UPDATE messages SET send_key = ? WHERE seq = ?');
    this.#copies = db.prepare("SELECT guid, account, seq, chat_id FROM messages WHERE guid IN (SELECT value FROM json_each(?)) AND guid <> '' ORDER BY seq");
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
  }

  linkEcho(seq: number, key: string): void {
    this.#linkEcho.run(key, seq);
  }

  copies(guids: readonly string[]): CopyRecord[] {
    if (guids.length === 0) return [];
    return (this.#copies.all(JSON.stringify(guids)) as { guid: string; account: string; seq: number; chat_id: number }[]).map((r) => ({
      guid: r.guid,
      account: r.account,
      seq: r.seq,
      chatId: r.chat_id,
    }));
  }

  query(q: MessageQuery): MessageRecord[] {
    const parts: string[] = [];
    const params: Record<string, unknown> = { limit: q.limit };
    if (q.afterSeq !== undefined) {
      parts.push('m.seq > @after');
      params['after'] = q.afterSeq;
    }
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
    if (q.includeReactions === false) parts.push('m.is_reaction = 0');
    if (q.reactedTo) {
      // Served by the messages_reacted_to index.
      parts.push("m.is_reaction = 1 AND json_extract(m.body, '$.reacted_to_guid') IN (SELECT value FROM json_each(@reacted))");
      params['reacted'] = JSON.stringify(q.reactedTo);
    }
    if (q.firstCopyAmong === 'all') {
      parts.push('m.dup_of IS NULL');
    } else if (q.firstCopyAmong) {
      parts.push(`(m.dup_of IS NULL OR NOT EXISTS (SELECT 1 FROM messages p WHERE p.guid = m.guid AND p.guid <> '' AND p.seq < m.seq
               AND p.account IN (SELECT value FROM json_each(@among))))`);
      params['among'] = JSON.stringify(q.firstCopyAmong);
    }
    const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
    const sql = `SELECT m.* FROM messages m ${where} ORDER BY m.seq ${q.order === 'desc' ? 'DESC' : 'ASC'} LIMIT @limit`;
    return (this.#prepared(sql).all(params) as MessageRow[]).map(toRecord);
  }

  #prepared(sql: string): Database.Statement {
    let stmt = this.#queries.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      this.#queries.set(sql, stmt);
    }
    return stmt;
  }
}
