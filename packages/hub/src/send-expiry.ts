import { HUB_ERROR_CODES } from '@imsg-hub/hub-protocol';
import type { OutboxRecord, Store } from '@imsg-hub/store';
import type { Logger } from 'pino';

export interface SendExpiryDeps {
  store: Store;
  log: Logger;
  /** Whether the account's agent is linked (to this hub or, on a shared store, another). */
  online: (account: string) => Promise<boolean>;
  changed: (record: OutboxRecord) => void;
}

/**
 * The queue TTL (design.md "Outbound contract"): once a second, queued sends past their TTL whose
 * account's agent is offline are `expired`. A TTL bounds the wait for an *offline* agent; behind
 * other sends to a live agent, sends wait. A resend the operator asked for waits for the agent.
 */
export class SendExpiry {
  readonly #d: SendExpiryDeps;
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(deps: SendExpiryDeps, everyMs = 1000) {
    this.#d = deps;
    this.#timer = setInterval(() => void this.#sweep(), everyMs);
    this.#timer.unref();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }

  async #sweep(): Promise<void> {
    if (this.#closed) return;
    try {
      for (const r of await this.#d.store.outbox({ expiresBy: Date.now() })) {
        if (r.resolution === 'resend' || (await this.#d.online(r.account))) continue;
        const record = await this.#d.store.outboxUpdate(r.key, {
          state: 'expired',
          error: {
            code: HUB_ERROR_CODES.SEND_EXPIRED,
            message: "send expired: the account's agent stayed offline past the queue TTL",
            data: { code: 'SEND_EXPIRED' },
          },
        });
        this.#d.log.warn({ key: record.key, account: record.account }, 'send expired: agent stayed offline past the TTL');
        this.#d.changed(record);
      }
    } catch (err) {
      if (!this.#closed) this.#d.log.error({ err: (err as Error).message }, 'outbox expiry check failed; will try again');
    }
  }
}
