import { createHash } from 'node:crypto';
import type { HubMessage } from '@imsg-hub/hub-protocol';
import type { Store } from '@imsg-hub/store';
import type { MessageModel } from '../model/message-model.js';
import type { Logger } from 'pino';
import type { WebhookConfig } from '../config.js';
import { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-signature.js';

export interface WebhookDelivery {
  webhook: string;
  events: { id: number; type: 'message'; message: HubMessage }[];
}

export interface WebhookDispatcherOptions {
  store: Store;
  model: MessageModel;
  log: Logger;
  /** Told of each attempt's outcome (metrics). */
  onAttempt?: (webhook: string, ok: boolean, events: number) => void;
  /** Retry delays: exponential from `initialMs` to `maxMs`, with full jitter. */
  initialMs?: number;
  maxMs?: number;
}

/** The id a webhook's cursor is kept under: its `id`, else a hash of its URL. */
export function webhookId(config: WebhookConfig): string {
  return config.id ?? 'url-' + createHash('sha256').update(config.url).digest('hex').slice(0, 12);
}

/**
 * Delivers the merged stream to one webhook, in hub order, at least once: a batch is POSTed
 * (signed) until the receiver answers 2xx, and only then does the durable cursor move. A receiver
 * outage or a hub restart loses nothing; after a crash the last batch may arrive twice (dedupe by
 * event id).
 */
export class WebhookDispatcher {
  readonly id: string;
  readonly #config: WebhookConfig;
  readonly #o: WebhookDispatcherOptions;
  readonly #log: Logger;
  #cursor: number | undefined;
  #running = false;
  #again = false;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(config: WebhookConfig, options: WebhookDispatcherOptions) {
    this.#config = config;
    this.#o = options;
    this.id = webhookId(config);
    this.#log = options.log.child({ webhook: this.id });
  }

  /** The last hub sequence the receiver acknowledged; undefined until the first delivery run starts. */
  get cursor(): number | undefined {
    return this.#cursor;
  }

  /** Loads the durable cursor; a webhook never seen starts at `since`, else at the newest message. */
  async #loadCursor(): Promise<number> {
    if (this.#cursor !== undefined) return this.#cursor;
    const saved = await this.#o.store.webhookCursor(this.id);
    const cursor = saved ?? this.#config.since ?? this.#o.model.maxSeq;
    if (saved === undefined) await this.#o.store.setWebhookCursor(this.id, cursor);
    this.#cursor = cursor;
    return cursor;
  }

  /** New rows were committed (or the hub started): deliver what is pending. */
  poke(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    void this.#run()
      .catch((err: Error) => {
        // Only when the store went away under us (hub closing); a restart resumes from the cursor.
        if (!this.#closed) this.#log.error({ err: err.message }, 'webhook delivery stopped');
      })
      .finally(() => {
        this.#running = false;
      });
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  async #run(): Promise<void> {
    let failures = 0;
    await this.#loadCursor();
    while (!this.#closed) {
      this.#again = false;
      const events = await this.#pending();
      if (events.length === 0) {
        if (this.#again) continue;
        return;
      }
      const ok = await this.#post(events);
      if (this.#closed) return;
      this.#o.onAttempt?.(this.id, ok, events.length);
      if (ok) {
        failures = 0;
        this.#cursor = events[events.length - 1]!.id;
        await this.#o.store.setWebhookCursor(this.id, this.#cursor);
        continue;
      }
      failures += 1;
      const cap = Math.min(this.#o.maxMs ?? 30_000, (this.#o.initialMs ?? 250) * 2 ** Math.min(failures - 1, 16));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.random() * cap);
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  async #pending(): Promise<WebhookDelivery['events']> {
    const c = this.#config;
    // A loop, not recursion: a long run of messages the chat filter drops is skipped page by page.
    for (;;) {
      const rows = await this.#o.model.after(this.#cursor!, { merged: true, includeReactions: true, ...(c.accounts ? { accounts: c.accounts } : {}) }, c.batch);
      const events = rows.filter((m) => !c.chats || c.chats.includes(m.chat_id)).map((message) => ({ id: message.id, type: 'message' as const, message }));
      if (events.length > 0 || rows.length === 0) return events;
      // Skip past a page the chat filter emptied, without posting it.
      this.#cursor = rows[rows.length - 1]!.id;
      await this.#o.store.setWebhookCursor(this.id, this.#cursor);
    }
  }

  async #post(events: WebhookDelivery['events']): Promise<boolean> {
    const body = JSON.stringify({ webhook: this.id, events } satisfies WebhookDelivery);
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(this.#config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'imsg-hub-webhooks/1',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(this.#config.secret, timestamp, body),
        },
        body,
        // Never follow a redirect: the signed batch, message text included, goes to the configured URL only.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#config.timeout_ms),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return true;
      if (res.status >= 300 && res.status < 400) {
        this.#log.warn({ status: res.status, events: events.length }, 'webhook receiver redirected; not following it (configure the final URL); will retry');
        return false;
      }
      this.#log.warn({ status: res.status, events: events.length }, 'webhook receiver refused the batch; will retry');
      return false;
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'webhook receiver unreachable; will retry');
      return false;
    }
  }
}
