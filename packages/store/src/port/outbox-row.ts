import type { OutboxCounts, OutboxRecord } from './records.js';

/**
 * An outbox row as both adapters read it; `J` is how the adapter's driver returns a JSON column
 * (SQLite: text, PostgreSQL: already parsed).
 */
export interface OutboxRow<J> {
  key: string;
  n: number;
  account: string;
  method: string;
  target: string;
  route: string;
  chat_id: number | null;
  params: J;
  file: J | null;
  request_hash: string;
  client: string | null;
  state: OutboxRecord['state'];
  attempts: number;
  result: J | null;
  error: J | null;
  message_seq: number | null;
  expires_at: number | null;
  resolution: string | null;
  created_at: string;
  updated_at: string;
}

/** The states an outbox row may be in (inlined into queries, so checked against this first). */
export const OUTBOX_STATES: ReadonlySet<string> = new Set<OutboxRecord['state']>(['queued', 'dispatched', 'sent', 'failed', 'expired', 'in_doubt']);

/** Outbox states counted as not final, per account (health, metrics). */
export const OPEN_STATES = ['queued', 'dispatched', 'in_doubt'] as const;

/** A row as a record; `json` decodes one JSON column. */
export function outboxRecord<J>(r: OutboxRow<J>, json: (v: J) => unknown): OutboxRecord {
  const opt = <T>(v: J | null): T | undefined => (v === null ? undefined : (json(v) as T));
  return {
    key: r.key,
    n: r.n,
    account: r.account,
    method: r.method,
    target: r.target,
    route: r.route,
    chatId: r.chat_id ?? undefined,
    params: json(r.params) as Record<string, unknown>,
    file: opt(r.file),
    requestHash: r.request_hash,
    client: r.client ?? undefined,
    state: r.state,
    attempts: r.attempts,
    result: opt(r.result),
    error: opt(r.error),
    messageSeq: r.message_seq ?? undefined,
    expiresAt: r.expires_at ?? undefined,
    resolution: r.resolution === 'resend' ? 'resend' : undefined,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Per account, the counts of rows in each open state (from `account, state, count` rows). */
export function outboxCounts(rows: readonly { account: string; state: string; c: number | string }[]): Map<string, OutboxCounts> {
  const out = new Map<string, OutboxCounts>();
  for (const r of rows) {
    const entry = out.get(r.account) ?? { queued: 0, dispatched: 0, in_doubt: 0 };
    if (r.state === 'queued' || r.state === 'dispatched' || r.state === 'in_doubt') entry[r.state] = Number(r.c);
    out.set(r.account, entry);
  }
  return out;
}
