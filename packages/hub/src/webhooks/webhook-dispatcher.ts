import { createHash, randomUUID } from 'node:crypto';
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
  /**
   * This hub, as the holder of webhook leases: of several hubs on one store, only the one holding a
   * webhook feed's lease delivers it (default: a random id per dispatcher).
   */
  holder?: string;
}

/** The id a webhook's cursor is kept under: its `id`, else a hash of its URL. */
export function webhookId(config: WebhookConfig): string {
  return config.id ?? 'url-' + createHash('sha256').update(config.url).digest('hex').slice(0, 12);
}

/**
 * Delivers one feed (the merged stream, or send events) to one webhook, in order, at least once: a
 * batch is POSTed (signed) until the receiver answers 2xx, and only then does the durable cursor
 * move. A receiver outage or a hub restart loses nothing; after a crash the last batch may arrive
 * twice (dedupe by event type and id). Several hubs on one store deliver each webhook once, not once
 * per hub: a hub delivers a feed only while it holds its lease in the store (under the cursor's key;
 * taken or renewed before every batch, given up on close), reading the cursor afresh each time it
 * takes the lease over; every hub tries every half lease, so the holder keeps it while idle and a
 * dead holder's webhook moves on within a lease.
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
  readonly #holder: string;
  readonly #leaseMs: number;
  /** Whether this hub held the lease at its last check: the cursor in memory is only trusted then. */
  #holding = false;
  #retry: NodeJS.Timeout | undefined;
  /** The delivery run in progress (close waits for its batch to be acknowledged and recorded). */
  #runs: Promise<void> = Promise.resolve();

  constructor(config: WebhookConfig, options: WebhookDispatcherOptions) {
    this.#config = config;
    this.#o = options;
    this.id = webhookId(config);
    this.#feed = options.feed ?? new MessageFeed(config, options.model);
    this.#cursorId = this.id + this.#feed.cursorSuffix;
    this.#log = options.log.child({ webhook: this.#cursorId });
    this.#holder = options.holder ?? randomUUID();
    this.#leaseMs = config.lease_ms;
  }

  /** Whether this hub delivers the feed now (it held the lease at its last check). */
  get holding(): boolean {
    return this.#holding;
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

  /**
   * New rows were committed (or the hub started): deliver what is pending. From the first poke on,
   * it also pokes itself every half lease: the holder renews its lease while idle, and the other
   * hubs take over within a lease when the holder died (with no new commit to wake them).
   */
  poke(): void {
    if (this.#closed) return;
    if (!this.#retry) {
      this.#retry = setInterval(() => this.poke(), this.#leaseMs / 2);
      this.#retry.unref();
    }
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    this.#runs = this.#run()
      .catch((err: Error) => {
        // Only when the store went away under us (hub closing); a restart resumes from the cursor.
        if (!this.#closed) this.#log.error({ err: err.message }, 'webhook delivery stopped');
      })
      .finally(() => {
        this.#running = false;
      });
  }

  /**
   * Stops delivering and gives the lease up (so another hub takes over at once); never rejects. A
   * batch in flight is waited for (up to `graceMs`) so that its cursor is recorded first: the next
   * hub does not post it again.
   */
  async close(graceMs = 2000): Promise<void> {
    this.#closed = true;
    clearInterval(this.#retry);
    this.#wake?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#runs, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    if (this.#holding) {
      this.#holding = false;
      await this.#o.store.releaseWebhook(this.#cursorId, this.#holder).catch(() => undefined);
    }
  }

  /** Takes or renews the lease; taken over (not renewed), the cursor is read again: another hub may have moved it. */
  async #lease(): Promise<boolean> {
    const held = await this.#o.store.leaseWebhook(this.#cursorId, this.#holder, this.#leaseMs, Date.now());
    if (held !== this.#holding)
      this.#log.info({ holder: this.#holder, holding: held }, held ? 'delivering this webhook from this hub' : 'another hub delivers this webhook');
    if (!held || !this.#holding) this.#cursor = undefined;
    this.#holding = held;
    return held;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#closed) {
      this.#again = false;
      if (!(await this.#lease())) return;
      await this.#loadCursor();
      const events = await this.#pending();
      if (events.length === 0) {
        if (this.#again) continue;
        return;
      }
      const ok = await this.#post(events);
      this.#o.onAttempt?.(this.id, ok, events.length);
      if (ok) {
        // Recorded even when closing: the receiver has the batch, the next holder must not resend it.
        failures = 0;
        this.#cursor = events[events.length - 1]!.id;
        await this.#o.store.setWebhookCursor(this.#cursorId, this.#cursor);
        continue;
      }
      if (this.#closed) return;
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
