import { createHash } from 'node:crypto';
import type { WebhookSendEvent } from '@imsg-hub/hub-protocol';
import type { Store } from '@imsg-hub/store';
import type { MessageModel } from '../model/message-model.js';
import type { Logger } from 'pino';
import type { WebhookConfig } from '../config.js';
import { MessageFeed, type MessageEvent } from './message-feed.js';
import type { WebhookFeed } from './webhook-feed.js';
import { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-signature.js';

/** A POST body of message events (WebhookMessageBatchSchema). */
export interface WebhookDelivery {
  webhook: string;
  events: MessageEvent[];
}
/** A POST body of send events (WebhookSendBatchSchema). */
export interface WebhookSendDelivery {
  webhook: string;
  events: WebhookSendEvent[];
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
  /** What this dispatcher delivers: the merged message stream by default, or send events. */
  feed?: WebhookFeed<{ id: number }>;
}

/** The id a webhook's cursor is kept under: its `id`, else a hash of its URL. */
export function webhookId(config: WebhookConfig): string {
  return config.id ?? 'url-' + createHash('sha256').update(config.url).digest('hex').slice(0, 12);
}

/**
 * Delivers one feed (the merged stream, or send events) to one webhook, in order, at least once: a
 * batch is POSTed (signed) until the receiver answers 2xx, and only then does the durable cursor
 * move. A receiver outage or a hub restart loses nothing; after a crash the last batch may arrive
 * twice (dedupe by event type and id).
 */
export class WebhookDispatcher {
  readonly id: string;
  readonly #config: WebhookConfig;
  readonly #o: WebhookDispatcherOptions;
  readonly #log: Logger;
  readonly #feed: WebhookFeed<{ id: number }>;
  /** The cursor's key in the store: the webhook id, plus the feed's suffix. */
  readonly #cursorId: string;
  #cursor: number | undefined;
  #running = false;
  #again = false;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(config: WebhookConfig, options: WebhookDispatcherOptions) {
    this.#config = config;
    this.#o = options;
    this.id = webhookId(config);
    this.#feed = options.feed ?? new MessageFeed(config, options.model);
    this.#cursorId = this.id + this.#feed.cursorSuffix;
    this.#log = options.log.child({ webhook: this.#cursorId });
  }

  /** The last sequence the receiver acknowledged; undefined until the first delivery run starts. */
  get cursor(): number | undefined {
    return this.#cursor;
  }

  /** Loads the durable cursor; a webhook never seen starts where its feed says (`since`, or now). */
  async #loadCursor(): Promise<number> {
    if (this.#cursor !== undefined) return this.#cursor;
    const saved = await this.#o.store.webhookCursor(this.#cursorId);
    const cursor = saved ?? (await this.#feed.start());
    if (saved === undefined) await this.#o.store.setWebhookCursor(this.#cursorId, cursor);
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
        await this.#o.store.setWebhookCursor(this.#cursorId, this.#cursor);
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

  async #pending(): Promise<{ id: number }[]> {
    // A loop, not recursion: a long run of events the filters drop is skipped page by page.
    for (;;) {
      const { events, last } = await this.#feed.page(this.#cursor!, this.#config.batch);
      if (events.length > 0 || last === undefined) return events;
      // Skip past a page the filters emptied, without posting it.
      this.#cursor = last;
      await this.#o.store.setWebhookCursor(this.#cursorId, this.#cursor);
    }
  }

  async #post(events: { id: number }[]): Promise<boolean> {
    const body = JSON.stringify({ webhook: this.id, events });
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
