import pg from 'pg';
import { LOCK_SPACE, pgTypes } from './pg-session.js';

/** Advisory lock key (second half) of the commit turn. */
export const TURN_LOCK = 3;

/**
 * Hubs on one database take turns to plan and write commits: a session-level advisory lock on a
 * dedicated connection, held from before a hub reads what it plans against until its commit is
 * written. A hub that dies mid-turn loses the lock with its connection. (Each commit still checks
 * its ids under a transaction lock: the turn avoids conflicts, the check catches any that remain.)
 */
export class CommitTurn {
  readonly #url: string;
  #client: Promise<pg.Client> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(url: string) {
    this.#url = url;
  }

  /** Waits for this hub's turn; resolves with the function that ends it. */
  acquire(): Promise<() => void> {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => {
      end = resolve;
    });
    const turn = this.#queue.then(async () => {
      const client = await this.#connection();
      await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_SPACE, TURN_LOCK]);
      return client;
    });
    // The next acquire waits until this turn has ended (or failed to start).
    this.#queue = turn.then(
      async (client) => {
        await ended;
        await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_SPACE, TURN_LOCK]).catch(() => undefined);
      },
      () => undefined,
    );
    return turn.then(() => end);
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) await (await client.catch(() => undefined))?.end().catch(() => undefined);
  }

  #connection(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    const connecting = (async () => {
      const client = new pg.Client({ connectionString: this.#url, types: pgTypes, application_name: 'imsg-hub turn', connectionTimeoutMillis: 10_000 });
      const drop = () => {
        if (this.#client === connecting) this.#client = undefined;
      };
      client.on('error', drop);
      client.on('end', drop);
      await client.connect();
      return client;
    })();
    this.#client = connecting;
    connecting.catch(() => {
      if (this.#client === connecting) this.#client = undefined;
    });
    return connecting;
  }
}
