import type Database from 'better-sqlite3';

/** imsg's own error, verbatim. */
export interface ImsgErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** One key the agent passed (or was about to pass) to imsg `send`. */
export type LedgerEntry = {
  key: string;
  account: string;
  params: Record<string, unknown>;
  /** ms since epoch when the key was last handed to imsg. */
  passedAt: number;
  echoRowid?: number;
} & ({ state: 'passing' } | { state: 'sent'; result: Record<string, unknown> } | { state: 'failed'; error: ImsgErrorObject });

interface LedgerRow {
  key: string;
  account: string;
  state: 'passing' | 'sent' | 'failed';
  params: string;
  passed_at: number;
  result: string | null;
  error: string | null;
  echo_rowid: number | null;
}

/**
 * The durable record of keys handed to imsg `send` (design.md, outbound contract). A key is
 * recorded `passing` before imsg sees it; a final outcome is never replaced.
 */
export class SendLedger {
  readonly #get: Database.Statement<[string], LedgerRow>;
  readonly #passing: Database.Statement<[string, string, string, number, number]>;
  readonly #sent: Database.Statement<[string, number | null, number, string]>;
  readonly #failed: Database.Statement<[string, number, string]>;
  readonly #claimed: Database.Statement<[string], { echo_rowid: number }>;

  constructor(db: Database.Database) {
    this.#get = db.prepare('SELECT * FROM send_ledger WHERE key = ?');
    this.#passing = db.prepare(
      `INSERT INTO send_ledger (key, account, state, params, passed_at, updated_at) VALUES (?, ?, 'passing', ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET params = excluded.params, passed_at = excluded.passed_at, updated_at = excluded.updated_at
       WHERE send_ledger.state = 'passing'`,
    );
    this.#sent = db.prepare(`UPDATE send_ledger SET state = 'sent', result = ?, echo_rowid = ?, updated_at = ? WHERE key = ? AND state = 'passing'`);
    this.#failed = db.prepare(`UPDATE send_ledger SET state = 'failed', error = ?, updated_at = ? WHERE key = ? AND state = 'passing'`);
    this.#claimed = db.prepare('SELECT echo_rowid FROM send_ledger WHERE account = ? AND echo_rowid IS NOT NULL');
  }

  get(key: string): LedgerEntry | undefined {
    const row = this.#get.get(key);
    if (!row) return undefined;
    const base = {
      key: row.key,
      account: row.account,
      params: JSON.parse(row.params) as Record<string, unknown>,
      passedAt: row.passed_at,
      ...(row.echo_rowid !== null ? { echoRowid: row.echo_rowid } : {}),
    };
    if (row.state === 'sent') return { ...base, state: 'sent', result: JSON.parse(row.result ?? '{}') as Record<string, unknown> };
    if (row.state === 'failed') return { ...base, state: 'failed', error: JSON.parse(row.error ?? '{}') as ImsgErrorObject };
    return { ...base, state: 'passing' };
  }

  /** Records that `key` is about to be handed to imsg (durably, before the call). */
  recordPassing(key: string, account: string, params: Record<string, unknown>, passedAt: number): void {
    this.#passing.run(key, account, JSON.stringify(params), passedAt, Date.now());
  }

  recordSent(key: string, result: Record<string, unknown>, echoRowid?: number): void {
    this.#sent.run(JSON.stringify(result), echoRowid ?? null, Date.now(), key);
  }

  recordFailed(key: string, error: ImsgErrorObject): void {
    this.#failed.run(JSON.stringify(error), Date.now(), key);
  }

  /** Rowids of echo rows already matched to some key of this account. */
  claimedRowids(account: string): Set<number> {
    return new Set(this.#claimed.all(account).map((r) => r.echo_rowid));
  }
}
