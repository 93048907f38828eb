import pg from 'pg';
import { pgTypes } from './pg-session.js';

/** Advisory lock space of account claims ('imsh'); the second key is hashtext(account). */
const HOLD_SPACE = 0x696d7368;

/**
 * Account claims as session-level advisory locks on one dedicated connection: a hub holds an account
 * while its agent is linked there, so exactly one hub dispatches the account's sends. When the hub
 * dies, or this connection drops, the server releases every claim at once (onLost tells the hub).
 */
export class AccountHolds {
  readonly #url: string;
  readonly #pool: pg.Pool;
  readonly #held = new Set<string>();
  readonly #lostListeners = new Set<() => void>();
  #client: Promise<pg.Client> | undefined;
  /** Claims and releases run one at a time, in call order. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(url: string, pool: pg.Pool) {
    this.#url = url;
    this.#pool = pool;
  }

  hold(account: string): Promise<boolean> {
    return this.#serial(async () => {
      if (this.#held.has(account)) return true;
      const r = await this.#query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [HOLD_SPACE, account]);
      if (r.rows[0]!.ok) this.#held.add(account);
      return r.rows[0]!.ok;
    });
  }

  release(account: string): Promise<void> {
    return this.#serial(async () => {
      if (!this.#held.delete(account)) return;
      await this.#query('SELECT pg_advisory_unlock($1, hashtext($2))', [HOLD_SPACE, account]);
    });
  }

  /** Whether any hub holds the account (its agent is online somewhere). */
  async held(account: string): Promise<boolean> {
    if (this.#held.has(account)) return true;
    const r = await this.#pool.query<{ held: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::bigint::oid
         AND objid = (hashtext($2)::bigint & 4294967295)::oid AND objsubid = 2) AS held`,
      [HOLD_SPACE, account],
    );
    return r.rows[0]!.held;
  }

  onLost(listener: () => void): () => void {
    this.#lostListeners.add(listener);
    return () => this.#lostListeners.delete(listener);
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#held.clear();
    if (client) await (await client.catch(() => undefined))?.end().catch(() => undefined);
  }

  /**
   * A query on the claims connection. One the server ended (restart, pg_terminate_backend, a cut)
   * may not have told us yet: its claims are gone with it, so the query runs once more on a new one.
   */
  async #query<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<pg.QueryResult<R>> {
    for (let attempt = 0; ; attempt++) {
      const connecting = this.#connection();
      const client = await connecting;
      try {
        return await client.query<R>(sql, params);
      } catch (err) {
        if (attempt > 0 || !connectionLost(err)) throw err;
        if (this.#client === connecting) this.#client = undefined;
        await client.end().catch(() => undefined);
      }
    }
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #connection(): Promise<pg.Client> {
    this.#client ??= (async () => {
      const client = new pg.Client({ connectionString: this.#url, types: pgTypes, application_name: 'imsg-hub holds', connectionTimeoutMillis: 10_000 });
      const lost = () => {
        if (this.#client === connecting) this.#client = undefined;
        if (this.#held.size === 0) return;
        this.#held.clear();
        for (const l of this.#lostListeners) l();
      };
      client.on('error', lost);
      client.on('end', lost);
      await client.connect();
      return client;
    })();
    const connecting = this.#client;
    connecting.catch(() => {
      if (this.#client === connecting) this.#client = undefined;
    });
    return connecting;
  }
}

/** The server ended the session (admin shutdown, crash shutdown, cannot connect now) or the socket closed. */
function connectionLost(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (code === '57P01' || code === '57P02' || code === '57P03') return true;
  return /Connection terminated|not queryable|ECONNRESET|EPIPE/i.test((err as Error)?.message ?? '');
}
