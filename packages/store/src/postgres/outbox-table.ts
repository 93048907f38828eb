import { OPEN_STATES, OUTBOX_STATES, type OutboxRow, outboxCounts, outboxRecord } from '../port/outbox-row.js';
import type { OutboxCounts, OutboxInsert, OutboxPatch, OutboxQuery, OutboxRecord } from '../port/records.js';
import { OUTBOX_CHANNEL } from './notify-listener.js';
import { type Queryable, type SqlPart, stmt } from './pg-session.js';

/** Returns the written rows and tells every listening hub of their new state (on commit). */
const NOTIFYING = `SELECT r.*, pg_notify('${OUTBOX_CHANNEL}', json_build_object('account', r.account, 'key', r.key, 'state', r.state)::text) FROM r`;

type Row = OutboxRow<unknown>;
const toRecord = (r: Row): OutboxRecord => outboxRecord(r, (v) => v);

/** outbox: durable sends and their state machine. */
export class OutboxTable {
  async insert(db: Queryable, r: OutboxInsert): Promise<OutboxRecord> {
    const now = new Date().toISOString();
    const row = await db.query<Row>(
      stmt(
        `WITH r AS (INSERT INTO outbox (key, account, method, target, route, chat_id, params, file, request_hash, client, state, expires_at, created_at, updated_at)
         VALUES ($1, $2, $12, $3, $4, $5, $6, $7, $8, $9, 'queued', $10, $11, $11) RETURNING *) ${NOTIFYING}`,
        [
          r.key,
          r.account,
          r.target,
          r.route,
          r.chatId ?? null,
          JSON.stringify(r.params),
          r.file ? JSON.stringify(r.file) : null,
          r.requestHash,
          r.client ?? null,
          r.expiresAt ?? null,
          now,
          r.method,
        ],
      ),
    );
    return toRecord(row.rows[0]!);
  }

  async get(db: Queryable, key: string): Promise<OutboxRecord | undefined> {
    const row = (await db.query<Row>(stmt('SELECT * FROM outbox WHERE key = $1', [key]))).rows[0];
    return row && toRecord(row);
  }

  async update(db: Queryable, key: string, p: OutboxPatch): Promise<OutboxRecord> {
    const values: unknown[] = [key, new Date().toISOString()];
    const sets = ['updated_at = $2'];
    const set = (column: string, value: unknown, type: string) => {
      values.push(value);
      sets.push(`${column} = $${values.length}::${type}`);
    };
    if (p.state !== undefined) set('state', p.state, 'text');
    if (p.attempts !== undefined) set('attempts', p.attempts, 'integer');
    if (p.result !== undefined) set('result', JSON.stringify(p.result), 'json');
    if (p.error !== undefined) set('error', p.error === null ? null : JSON.stringify(p.error), 'json');
    if (p.resolution !== undefined) set('resolution', p.resolution, 'text');
    if (p.messageSeq !== undefined) set('message_seq', p.messageSeq, 'bigint');
    const row = (await db.query<Row>(stmt(`WITH r AS (UPDATE outbox SET ${sets.join(', ')} WHERE key = $1 RETURNING *) ${NOTIFYING}`, values))).rows[0];
    if (!row) throw new RangeError(`no send with idempotency key ${key}`);
    return toRecord(row);
  }

  /** Links sends to the echo rows a commit stores; every key must exist. */
  async link(db: Queryable, links: readonly { key: string; messageSeq: number }[]): Promise<void> {
    const part = this.linkPart(links);
    if (!part) return;
    const r = await db.query(stmt(part.text, part.values));
    if (r.rowCount !== part.rows) throw unknownKeys(links);
  }

  /** The update as a statement of its own or a part of the commit's one (`rows`: how many it must touch). */
  linkPart(links: readonly { key: string; messageSeq: number }[]): (SqlPart & { rows: number }) | undefined {
    if (links.length === 0) return undefined;
    const list = [...new Map(links.map((l) => [l.key, l])).values()];
    return {
      rows: list.length,
      text: 'UPDATE outbox o SET message_seq = l.seq, updated_at = $3 FROM unnest($1::text[], $2::bigint[]) AS l (key, seq) WHERE o.key = l.key',
      values: [list.map((l) => l.key), list.map((l) => l.messageSeq), new Date().toISOString()],
    };
  }

  async query(db: Queryable, q: OutboxQuery): Promise<OutboxRecord[]> {
    const parts: string[] = [];
    const values: unknown[] = [];
    const param = (v: unknown, type: string): string => {
      values.push(v);
      return `$${values.length}::${type}`;
    };
    if (q.account !== undefined) parts.push(`account = ${param(q.account, 'text')}`);
    if (q.accounts) parts.push(`account = ANY(${param(q.accounts, 'text[]')})`);
    if (q.states) {
      // Inlined (they are enum values, checked here) so the partial outbox_pending index applies.
      const states = q.states.filter((x) => OUTBOX_STATES.has(x));
      parts.push(`state IN (${states.map((x) => `'${x}'`).join(', ') || 'NULL'})`);
    }
    if (q.expiresBy !== undefined) parts.push(`state = 'queued' AND expires_at IS NOT NULL AND expires_at <= ${param(q.expiresBy, 'bigint')}`);
    if (q.unlinkedResultGuids) parts.push(`(result ->> 'guid') = ANY(${param(q.unlinkedResultGuids, 'text[]')}) AND message_seq IS NULL`);
    if (q.file) {
      parts.push(`account = ANY(${param(q.file.accounts, 'text[]')}) AND (file ->> 'sha256') = ${param(q.file.sha256, 'text')}`);
    }
    const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
    const limit = q.limit !== undefined ? `LIMIT ${Math.max(0, Math.floor(q.limit))}` : '';
    return (await db.query<Row>(stmt(`SELECT * FROM outbox ${where} ORDER BY n${q.newestFirst ? ' DESC' : ''} ${limit}`, values))).rows.map(toRecord);
  }

  async counts(db: Queryable): Promise<Map<string, OutboxCounts>> {
    const open = OPEN_STATES.map((x) => `'${x}'`).join(', ');
    const rows = await db.query<{ account: string; state: string; c: number }>(
      stmt(`SELECT account, state, COUNT(*) AS c FROM outbox WHERE state IN (${open}) GROUP BY account, state`),
    );
    return outboxCounts(rows.rows);
  }
}

/** A commit links a send key the outbox does not have. */
export function unknownKeys(links: readonly { key: string }[]): RangeError {
  return new RangeError(`no send with idempotency key among ${[...new Set(links.map((l) => l.key))].join(', ')}`);
}
