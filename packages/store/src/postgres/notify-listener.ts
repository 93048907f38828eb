import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { pgTypes } from './pg-session.js';

/** Every commit with messages notifies this channel (payload: the new highest seq), in commit order. */
export const COMMIT_CHANNEL = 'imsg_hub_commits';
/** Every outbox insert or update notifies this channel (payload: JSON { account, key, state }). */
export const OUTBOX_CHANNEL = 'imsg_hub_outbox';

const CHANNELS = [COMMIT_CHANNEL, OUTBOX_CHANNEL];

/**
 * LISTENs to the store's channels on one dedicated connection. Reconnects with backoff when the
 * connection drops and then calls `onConnect` (the store reports the current maximum seq then, so a
 * listener never misses a commit: it reads the store after what it knows).
 */
export class NotifyListener {
  readonly #url: string;
  readonly #onConnect: (client: pg.Client) => Promise<void>;
  readonly #listeners = new Map<string, Set<(payload: string) => void>>();
  #running: Promise<void> | undefined;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(url: string, onConnect: (client: pg.Client) => Promise<void>) {
    this.#url = url;
    this.#onConnect = onConnect;
  }

  subscribe(channel: string, listener: (payload: string) => void): () => void {
    const set = this.#listeners.get(channel) ?? new Set();
    set.add(listener);
    this.#listeners.set(channel, set);
    this.#running ??= this.#run();
    return () => set.delete(listener);
  }

  emit(channel: string, payload: string): void {
    for (const l of this.#listeners.get(channel) ?? []) l(payload);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#running;
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
          if (n.payload !== undefined) this.emit(n.channel, n.payload);
        });
        for (const channel of CHANNELS) await client.query(`LISTEN ${channel}`);
        await this.#onConnect(client);
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
