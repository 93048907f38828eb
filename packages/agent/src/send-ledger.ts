import type Database from 'better-sqlite3';

/** imsg's own error, verbatim. */
export interface ImsgErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** How a key reaches imsg: the method, and for `send.tracked` the message guid chosen before dispatch. */
export interface LedgerPlan {
  method?: string;
  attemptId?: string | undefined;
}

/**
 * One key the agent passed (or was about to pass) to imsg. `passing`: handed over, no answer yet
 * (a crash leaves it so); `in_doubt`: imsg said the outcome is unknown (-32001), or an untracked key
 * was found `passing` after a crash — either way never re-sent on a guess.
 */
export type LedgerEntry = {
  key: string;
  account: string;
  method: string;
  params: Record<string, unknown>;
  attemptId?: string;
  /** ms since epoch when the key was last handed to imsg. */
  passedAt: number;
  echoRowid?: number;
} & (
  | { state: 'passing' }
  | { state: 'in_doubt'; doubt?: ImsgErrorObject }
  | { state: 'sent'; result: Record<string, unknown> }
  | { state: 'failed'; error: ImsgErrorObject }
);

interface LedgerRow {
  key: string;
  account: string;
  state: LedgerEntry['state'];
  method: string;
  params: string;
  attempt_id: string | null;
  passed_at: number;
  result: string | null;
  error: string | null;
  doubt: string | null;
  echo_rowid: number | null;
}

/**
 * The durable record of keys handed to imsg (design.md, outbound contract). A key is recorded
 * `passing` before imsg sees it; a final outcome (`sent`, `failed`) is never replaced.
 */
export class SendLedger {
  readonly #get: Database.Statement<[string], LedgerRow>;
  readonly #passing: Database.Statement<[string, string, string, string, string | null, number, number]>;
  readonly #sent: Database.Statement<[string, number | null, number, string]>;
  readonly #failed: Database.Statement<[string, number, string]>;
  readonly #inDoubt: Database.Statement<[string | null, number, string]>;
  readonly #forget: Database.Statement<[string]>;
  readonly #release: Database.Statement<[string]>;
  readonly #claimed: Database.Statement<[string], { echo_rowid: number }>;
  readonly #open: Database.Statement<[string], { state: string; n: number }>;
  readonly #receipt: Database.Statement<[string, string]>;
  readonly #awaiting: Database.Statement<[string, number], { key: string; result: string; receipt: string | null; updated_at: number }>;

  constructor(db: Database.Database) {
    this.#get = db.prepare('SELECT * FROM send_ledger WHERE key = ?');
    this.#passing = db.prepare(
      `INSERT INTO send_ledger (key, account, state, method, params, attempt_id, passed_at, updated_at) VALUES (?, ?, 'passing', ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET method = excluded.method, params = excluded.params, attempt_id = excluded.attempt_id,
         passed_at = excluded.passed_at, updated_at = excluded.updated_at
       WHERE send_ledger.state = 'passing'`,
    );
    this.#sent = db.prepare(
      `UPDATE send_ledger SET state = 'sent', result = ?, echo_rowid = ?, updated_at = ? WHERE key = ? AND state IN ('passing', 'in_doubt')`,
    );
    this.#failed = db.prepare(`UPDATE send_ledger SET state = 'failed', error = ?, updated_at = ? WHERE key = ? AND state = 'passing'`);
    this.#inDoubt = db.prepare(`UPDATE send_ledger SET state = 'in_doubt', doubt = ?, updated_at = ? WHERE key = ? AND state = 'passing'`);
    this.#forget = db.prepare(`DELETE FROM send_ledger WHERE key = ? AND state = 'passing'`);
    this.#release = db.prepare(`DELETE FROM send_ledger WHERE key = ? AND state = 'in_doubt'`);
    this.#claimed = db.prepare('SELECT echo_rowid FROM send_ledger WHERE account = ? AND echo_rowid IS NOT NULL');
    this.#open = db.prepare(`SELECT state, COUNT(*) AS n FROM send_ledger WHERE account = ? AND state IN ('passing', 'in_doubt') GROUP BY state`);
    // Only forward: delivered never replaces read.
    this.#receipt = db.prepare(`UPDATE send_ledger SET receipt = ? WHERE key = ? AND state = 'sent' AND receipt IS NOT 'read'`);
    this.#awaiting = db.prepare(
      `SELECT key, result, receipt, updated_at FROM send_ledger
       WHERE account = ? AND state = 'sent' AND receipt IS NOT 'read' AND updated_at >= ? AND method IN ('send', 'send.tracked')`,
    );
  }

  get(key: string): LedgerEntry | undefined {
    const row = this.#get.get(key);
    if (!row) return undefined;
    const base = {
      key: row.key,
      account: row.account,
      method: row.method,
      params: JSON.parse(row.params) as Record<string, unknown>,
      ...(row.attempt_id !== null ? { attemptId: row.attempt_id } : {}),
      passedAt: row.passed_at,
      ...(row.echo_rowid !== null ? { echoRowid: row.echo_rowid } : {}),
    };
    if (row.state === 'sent') return { ...base, state: 'sent', result: JSON.parse(row.result ?? '{}') as Record<string, unknown> };
    if (row.state === 'failed') return { ...base, state: 'failed', error: JSON.parse(row.error ?? '{}') as ImsgErrorObject };
    if (row.state === 'in_doubt') return { ...base, state: 'in_doubt', ...(row.doubt ? { doubt: JSON.parse(row.doubt) as ImsgErrorObject } : {}) };
    return { ...base, state: 'passing' };
  }

  /** Records that `key` is about to be handed to imsg (durably, before the call). */
  recordPassing(key: string, account: string, params: Record<string, unknown>, passedAt: number, plan: LedgerPlan = {}): void {
    this.#passing.run(key, account, plan.method ?? 'send', JSON.stringify(params), plan.attemptId ?? null, passedAt, Date.now());
  }

  /** imsg applied it (or `message.send_status` proved it): final. */
  recordSent(key: string, result: Record<string, unknown>, echoRowid?: number): void {
    this.#sent.run(JSON.stringify(result), echoRowid ?? null, Date.now(), key);
  }

  /** imsg refused it before any side effect: final, its error kept verbatim. */
  recordFailed(key: string, error: ImsgErrorObject): void {
    this.#failed.run(JSON.stringify(error), Date.now(), key);
  }

  /** The outcome is unknown and cannot be retried safely: kept until proven (or resolved explicitly). */
  recordInDoubt(key: string, doubt?: ImsgErrorObject): void {
    this.#inDoubt.run(doubt ? JSON.stringify(doubt) : null, Date.now(), key);
  }

  /** imsg proved it never started (not_started, -32004, -32002, -32000): as if never passed. */
  forget(key: string): void {
    this.#forget.run(key);
  }

  /** The operator saw a key in doubt did not go out: forgotten, so it may be sent once more. */
  release(key: string): void {
    this.#release.run(key);
  }

  /** Rowids of echo rows already matched to some key of this account. */
  claimedRowids(account: string): Set<number> {
    return new Set(this.#claimed.all(account).map((r) => r.echo_rowid));
  }

  /** The recipient's device got (`delivered`) or read the message sent under `key`, as reported to the hub. */
  recordReceipt(key: string, receipt: 'delivered' | 'read'): void {
    this.#receipt.run(receipt, key);
  }

  /** Messages this account sent since `since` (ms) whose recipient has not read them yet, with their guids. */
  awaitingReceipts(account: string, since: number): { key: string; guid: string; receipt?: 'delivered'; sentAt: number }[] {
    return this.#awaiting.all(account, since).flatMap((r) => {
      const guid = (JSON.parse(r.result) as { guid?: unknown }).guid;
      if (typeof guid !== 'string' || guid === '') return [];
      return [{ key: r.key, guid, ...(r.receipt === 'delivered' ? { receipt: 'delivered' as const } : {}), sentAt: r.updated_at }];
    });
  }

  /** Keys of this account not yet final: `passing` and `in_doubt`. */
  openCounts(account: string): { passing: number; in_doubt: number } {
    const counts = { passing: 0, in_doubt: 0 };
    for (const r of this.#open.all(account)) counts[r.state as keyof typeof counts] = r.n;
    return counts;
  }
}
