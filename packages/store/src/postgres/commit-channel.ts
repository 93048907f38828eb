import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { pgTypes } from './pg-session.js';

/** The channel every commit notifies (payload: the new highest seq), delivered in commit order. */
export const COMMIT_CHANNEL = 'imsg_hub_commits';

/**
 * LISTENs for commits of every hub on the database on one dedicated connection. Reconnects with
 * backoff when the connection drops, and then reports the current maximum, so a listener never misses
 * a commit (it reads the store after what it knows).
 */
export class CommitChannel {
  readonly #url: string;
  readonly #listeners = new Set<(maxSeq: number) => void>();
  #running: Promise<void> | undefined;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(url: string) {
    this.#url = url;
  }

  subscribe(listener: (maxSeq: number) => void): () => void {
    this.#listeners.add(listener);
    this.#running ??= this.#run();
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#running;
  }

  #emit(maxSeq: number): void {
    for (const l of this.#listeners) l(maxSeq);
  }

  async #run(): Promise<void> {
    let backoff = 100;
    while (!this.#closed) {
      const client = new pg.Client({ connectionString: this.#url, types: pgTypes, application_name: 'imsg-hub listen', connectionTimeoutMillis: 10_000 });
      const lost = new Promise<void>((resolve) => {
        this.#wake = resolve;
        client.on('error', () => resolve());
        client.on('end', () => resolve());
      });
      try {
        await client.connect();
        client.on('notification', (n) => {
          const max = Number(n.payload);
          if (n.channel === COMMIT_CHANNEL && Number.isSafeInteger(max)) this.#emit(max);
        });
        await client.query(`LISTEN ${COMMIT_CHANNEL}`);
        const { rows } = await client.query<{ m: number }>('SELECT COALESCE(MAX(seq), 0)::bigint AS m FROM messages');
        this.#emit(rows[0]!.m);
        backoff = 100;
        await lost;
      } catch {
        // Server down or restarting: try again shortly.
      }
      await client.end().catch(() => undefined);
      if (this.#closed) return;
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 5000);
    }
  }
}
