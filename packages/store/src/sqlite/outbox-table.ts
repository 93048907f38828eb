import type Database from 'better-sqlite3';
import { StatementCache } from './statement-cache.js';
import { OPEN_STATES, OUTBOX_STATES, type OutboxRow, outboxCounts, outboxRecord } from '../port/outbox-row.js';
import type { OutboxCounts, OutboxInsert, OutboxPatch, OutboxQuery, OutboxRecord } from '../port/records.js';

type Row = OutboxRow<string>;
const toRecord = (r: Row): OutboxRecord => outboxRecord(r, (v) => JSON.parse(v));

/** outbox: durable sends and their state machine. */
export class OutboxTable {
  readonly #db: Database.Database;
  readonly #get: Database.Statement;
  readonly #queries: StatementCache;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#queries = new StatementCache(db);
    this.#get = db.prepare('SELECT * FROM outbox WHERE key = ?');
  }

  insert(r: OutboxInsert): OutboxRecord {
    const now = new Date().toISOString();
    this.#db
      .prepare(
        `INSERT INTO outbox (key, n, account, method, target, route, chat_id, params, file, request_hash, client, state, expires_at, created_at, updated_at)
         VALUES (?, (SELECT COALESCE(MAX(n), 0) + 1 FROM outbox), ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
      )
      .run(
        r.key,
        r.account,
        r.method,
        r.target,
        r.route,
        r.chatId ?? null,
        JSON.stringify(r.params),
        r.file ? JSON.stringify(r.file) : null,
        r.requestHash,
        r.client ?? null,
        r.expiresAt ?? null,
        now,
        now,
      );
    return this.get(r.key)!;
  }

  get(key: string): OutboxRecord | undefined {
    const row = this.#get.get(key) as Row | undefined;
    return row && toRecord(row);
  }

  update(key: string, p: OutboxPatch): OutboxRecord {
    const sets: string[] = ['updated_at = @updated_at'];
    const values: Record<string, unknown> = { key, updated_at: new Date().toISOString() };
    if (p.state !== undefined) {
      sets.push('state = @state');
      values['state'] = p.state;
    }
    if (p.attempts !== undefined) {
      sets.push('attempts = @attempts');
      values['attempts'] = p.attempts;
    }
    if (p.result !== undefined) {
      sets.push('result = @result');
      values['result'] = JSON.stringify(p.result);
    }
    if (p.error !== undefined) {
      sets.push('error = @error');
      values['error'] = p.error === null ? null : JSON.stringify(p.error);
    }
    if (p.resolution !== undefined) {
      sets.push('resolution = @resolution');
      values['resolution'] = p.resolution;
    }
    if (p.messageSeq !== undefined) {
      sets.push('message_seq = @message_seq');
      values['message_seq'] = p.messageSeq;
    }
    this.#db.prepare(`UPDATE outbox SET ${sets.join(', ')} WHERE key = @key`).run(values);
    const record = this.get(key);
    if (!record) throw new RangeError(`no send with idempotency key ${key}`);
    return record;
  }

  query(q: OutboxQuery): OutboxRecord[] {
    const parts: string[] = [];
    const params: Record<string, unknown> = {};
    if (q.account !== undefined) {
      parts.push('account = @account');
      params['account'] = q.account;
    }
    if (q.accounts) {
      parts.push('account IN (SELECT value FROM json_each(@accounts))');
      params['accounts'] = JSON.stringify(q.accounts);
    }
    if (q.states) {
      // Inlined (they are enum values, checked here) so the partial outbox_pending index applies.
      const states = q.states.filter((x) => OUTBOX_STATES.has(x));
      parts.push(`state IN (${states.map((x) => `'${x}'`).join(', ') || 'NULL'})`);
    }
    if (q.expiresBy !== undefined) {
      parts.push("state = 'queued' AND expires_at IS NOT NULL AND expires_at <= @expires");
      params['expires'] = q.expiresBy;
    }
    if (q.unlinkedResultGuids) {
      parts.push("json_extract(result, '$.guid') IN (SELECT value FROM json_each(@guids)) AND message_seq IS NULL");
      params['guids'] = JSON.stringify(q.unlinkedResultGuids);
    }
    if (q.file) {
      parts.push("account IN (SELECT value FROM json_each(@file_accounts)) AND json_extract(file, '$.sha256') = @sha256");
      params['file_accounts'] = JSON.stringify(q.file.accounts);
      params['sha256'] = q.file.sha256;
    }
    const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
    const limit = q.limit !== undefined ? `LIMIT ${Math.floor(q.limit)}` : '';
    const sql = `SELECT * FROM outbox ${where} ORDER BY n${q.newestFirst ? ' DESC' : ''} ${limit}`;
    return (this.#queries.get(sql).all(params) as Row[]).map(toRecord);
  }

  counts(): Map<string, OutboxCounts> {
    const open = OPEN_STATES.map((x) => `'${x}'`).join(', ');
    const rows = this.#queries.get(`SELECT account, state, COUNT(*) AS c FROM outbox WHERE state IN (${open}) GROUP BY account, state`).all();
    return outboxCounts(rows as { account: string; state: string; c: number }[]);
  }
}
