import type Database from 'better-sqlite3';
import type { SendOutcome } from '@imsg-hub/hub-protocol';
import type { OutboxInsert, OutboxPatch, OutboxRecord } from '../store.js';

interface OutboxRow {
  key: string;
  n: number;
  account: string;
  target: string;
  route: string;
  chat_id: number | null;
  params: string;
  file: string | null;
  request_hash: string;
  client: string | null;
  state: OutboxRecord['state'];
  attempts: number;
  result: string | null;
  error: string | null;
  message_seq: number | null;
  expires_at: number | null;
  created_at: string;
  updated_at: string;
}

const toRecord = (r: OutboxRow): OutboxRecord => ({
  key: r.key,
  n: r.n,
  account: r.account,
  target: r.target,
  route: r.route,
  chatId: r.chat_id ?? undefined,
  params: JSON.parse(r.params) as Record<string, unknown>,
  file: r.file ? (JSON.parse(r.file) as OutboxRecord['file']) : undefined,
  requestHash: r.request_hash,
  client: r.client ?? undefined,
  state: r.state,
  attempts: r.attempts,
  result: r.result ? (JSON.parse(r.result) as Record<string, unknown>) : undefined,
  error: r.error ? (JSON.parse(r.error) as OutboxRecord['error']) : undefined,
  messageSeq: r.message_seq ?? undefined,
  expiresAt: r.expires_at ?? undefined,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** outbox: durable sends and their state machine. */
export class OutboxTable {
  readonly #db: Database.Database;
  readonly #get: Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#get = db.prepare('SELECT * FROM outbox WHERE key = ?');
  }

  insert(r: OutboxInsert): OutboxRecord {
    const now = new Date().toISOString();
    this.#db
      .prepare(
        `INSERT INTO outbox (key, n, account, target, route, chat_id, params, file, request_hash, client, state, expires_at, created_at, updated_at)
         VALUES (?, (SELECT COALESCE(MAX(n), 0) + 1 FROM outbox), ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
      )
      .run(
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
        now,
      );
    return this.get(r.key)!;
  }

  get(key: string): OutboxRecord | undefined {
    const row = this.#get.get(key) as OutboxRow | undefined;
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
      values['error'] = JSON.stringify(p.error);
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

  pending(account?: string): OutboxRecord[] {
    const rows = account
      ? this.#db.prepare("SELECT * FROM outbox WHERE account = ? AND state IN ('queued', 'dispatched') ORDER BY n").all(account)
      : this.#db.prepare("SELECT * FROM outbox WHERE state IN ('queued', 'dispatched') ORDER BY n").all();
    return (rows as OutboxRow[]).map(toRecord);
  }

  /** Queued sends whose TTL passed become expired; returns them. */
  expire(nowMs: number, online: ReadonlySet<string> = new Set()): OutboxRecord[] {
    const rows = (
      this.#db.prepare("SELECT * FROM outbox WHERE state = 'queued' AND expires_at IS NOT NULL AND expires_at <= ?").all(nowMs) as OutboxRow[]
    ).filter((r) => !online.has(r.account));
    for (const r of rows) {
      this.update(r.key, {
        state: 'expired',
        error: { code: -32015, message: "send expired: the account's agent stayed offline past the queue TTL", data: { code: 'SEND_EXPIRED' } },
      });
    }
    return rows.map((r) => this.get(r.key)!);
  }

  counts(): Map<string, { queued: number; dispatched: number }> {
    const out = new Map<string, { queued: number; dispatched: number }>();
    const rows = this.#db.prepare("SELECT account, state, COUNT(*) AS c FROM outbox WHERE state IN ('queued', 'dispatched') GROUP BY account, state").all() as {
      account: string;
      state: 'queued' | 'dispatched';
      c: number;
    }[];
    for (const r of rows) {
      const entry = out.get(r.account) ?? { queued: 0, dispatched: 0 };
      entry[r.state] = r.c;
      out.set(r.account, entry);
    }
    return out;
  }

  /** The unlinked send whose imsg result carried this guid. */
  byResultGuid(account: string, guid: string): OutboxRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM outbox WHERE account = ? AND json_extract(result, '$.guid') = ? AND message_seq IS NULL").get(account, guid) as
      | OutboxRow
      | undefined;
    return row && toRecord(row);
  }
}

/** The client-facing view of a send record. */
export function outcomeOf(r: OutboxRecord): SendOutcome {
  return {
    idempotency_key: r.key,
    state: r.state,
    account: r.account,
    target: r.target,
    route: r.route,
    ...(r.chatId !== undefined ? { chat_id: r.chatId } : {}),
    ...(r.result ? { result: r.result } : {}),
    ...(r.messageSeq !== undefined ? { message_id: r.messageSeq } : {}),
    ...(r.error ? { error: r.error } : {}),
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}
