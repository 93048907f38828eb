import type { Store } from '@imsg-hub/store';
import type { Logger } from 'pino';
import type { SendEventsConfig } from './config.js';
import { PeriodicTask } from './periodic-task.js';

/** Entries deleted per store call; a prune goes on until fewer go. */
const BATCH = 5000;

/**
 * Keeps the send-event log (what `send.*` webhooks follow: two or more entries per send) from
 * growing without end: every `send_events.prune_interval_ms` it deletes the entries older than
 * `send_events.retention_s`, oldest first. A webhook whose receiver has been failing for longer
 * than that misses those events (its cursor moves on to what is left); sends themselves, their
 * outcomes and receipts stay in the outbox.
 */
export class SendEventPruner {
  readonly #store: Store;
  readonly #config: SendEventsConfig;
  readonly #log: Logger;
  readonly #task: PeriodicTask<number>;

  constructor(deps: { store: Store; log: Logger }, config: SendEventsConfig) {
    this.#store = deps.store;
    this.#config = config;
    this.#log = deps.log;
    this.#task = new PeriodicTask(
      config.prune_interval_ms,
      () => this.#prune(),
      (err) => {
        this.#log.warn({ err: err.message }, 'could not prune the send-event log; will try again');
        return 0;
      },
    );
  }

  /** One prune (a prune already running is shared); resolves with the number of entries deleted. */
  prune(): Promise<number> {
    return this.#task.run();
  }

  async #prune(): Promise<number> {
    const before = new Date(Date.now() - this.#config.retention_s * 1000).toISOString();
    let deleted = 0;
    for (;;) {
      const n = await this.#store.pruneSendEvents(before, BATCH);
      deleted += n;
      if (n < BATCH) break;
    }
    if (deleted > 0) this.#log.info({ deleted, retention_s: this.#config.retention_s }, 'pruned the send-event log');
    return deleted;
  }

  close(): void {
    this.#task.close();
  }
}
