import type { ImsgClient, Subscription } from '@imsg-hub/imsg-protocol';
import type { Logger } from 'pino';
import { AgentError } from './errors.js';
import type { InboundStream } from './inbound-stream.js';

/** imsg 0.9's watch page (MessagesAfterQuery LIMIT 100, reference/imsg-protocol.md §2.3). */
export const LEGACY_PAGE = 100;
/** Quiet after a short page for this long: caught up (a page is written in one burst). */
const CAUGHT_UP_QUIET_MS = 1000;

export interface LegacyFeedOptions {
  client: ImsgClient;
  stream: InboundStream;
  /** The acked cursor: rows after it are watched. */
  after: number;
  debounceMs: number;
  timeoutMs: number;
  /** The newest rowid the watchdog's probe saw (rows the watch may not have delivered yet). */
  newest: () => number;
  /** Quiet time after which a watch that is behind the probe is nudged. */
  idleMs?: number;
  /** Rows waiting for the hub above which no new page is asked for. */
  highWater?: number;
  log: Logger;
}

interface Page {
  subscription?: Subscription;
  /** Notifications this subscription delivered (a row joined to two chats counts twice, as in imsg's page). */
  count: number;
  /** When imsg answered the subscribe (performance.now()). */
  subscribedAt: number;
}

/**
 * Inbound rows from imsg 0.9–0.13, whose watch has no pager: each subscription reads 100 rows at
 * once, then 100 more per trigger (a file event or its 5 s poll), so a backlog of 100,000 rows would
 * take hours. A new subscription polls at once, so whenever the current one has delivered a whole
 * page the feed subscribes again after the last row delivered and drops the old one: the backlog
 * arrives a page per round trip. Once a page comes back short the watch is caught up and stays as
 * the live watch; if it goes quiet while the probe knows of rows it has not delivered (a missed
 * trigger), it is nudged the same way.
 */
export class LegacyFeed {
  readonly #o: LegacyFeedOptions;
  #current: Page | undefined;
  #advancing = false;
  #pending = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #lastNotificationAt = performance.now();
  #pages = 0;
  /** Until a page comes back short, what arrives is the backlog that existed at the start. */
  #catchingUp = true;

  constructor(options: LegacyFeedOptions) {
    this.#o = options;
  }

  /** Subscriptions made after the first (each one a page of the backlog, or a nudge). */
  get pages(): number {
    return this.#pages;
  }

  start(): void {
    void this.#subscribe(this.#o.after > 0 ? this.#o.after : -1).then(
      (page) => {
        if (!page) return;
        this.#current = page;
        this.#checkPage(page);
      },
      (err: unknown) => this.#o.stream.fail(err as Error),
    );
    const idle = this.#o.idleMs ?? 250;
    this.#timer = setInterval(() => this.#nudgeIfBehind(idle), Math.max(50, Math.floor(idle / 2)));
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    const sub = this.#current?.subscription;
    this.#current = undefined;
    await sub?.unsubscribe().catch(() => undefined);
  }

  async #subscribe(since: number): Promise<Page | undefined> {
    const page: Page = { count: 0, subscribedAt: performance.now() };
    page.subscription = await this.#o.client.subscribe(
      { since_rowid: since, attachments: true, include_reactions: true, debounce_ms: this.#o.debounceMs },
      {
        message: (m) => {
          this.#lastNotificationAt = performance.now();
          page.count += 1;
          // Until the backlog is behind us, what arrives existed before the watch caught up: replays.
          if (this.#catchingUp) this.#o.stream.markReplayUpTo(m.id);
          this.#o.stream.push(m);
          if (page === this.#current) this.#checkPage(page);
        },
        error: (text) => this.#o.stream.fail(new AgentError('WATCH_FAILED', `imsg watch failed: ${text}`)),
        invalid: (raw, why) => this.#o.log.error({ why, rowid: (raw as { id?: unknown })?.id }, 'imsg sent a row that does not validate; skipped'),
      },
      this.#o.timeoutMs,
    );
    page.subscribedAt = performance.now();
    if (this.#stopped) {
      await page.subscription.unsubscribe().catch(() => undefined);
      return undefined;
    }
    return page;
  }

  /** A whole page delivered: there may be more behind it. */
  #checkPage(page: Page): void {
    if (page.count > 0 && page.count % LEGACY_PAGE === 0) this.#advance();
  }

  #nudgeIfBehind(idleMs: number): void {
    if (this.#stopped || this.#advancing || !this.#current) return;
    if (performance.now() - this.#lastNotificationAt < idleMs) return;
    // Quiet for a while after a short (or empty) page: the backlog is behind us, what comes next is live.
    const page = this.#current;
    const quietFor = performance.now() - Math.max(this.#lastNotificationAt, page.subscribedAt);
    if (page.count % LEGACY_PAGE !== 0 || page.count === 0) {
      if (quietFor >= CAUGHT_UP_QUIET_MS) this.#catchingUp = false;
    }
    if (this.#o.stream.delivered >= this.#o.newest()) return;
    this.#advance();
  }

  /** Subscribes again after the last row delivered (the new subscription first: nothing is missed). */
  #advance(): void {
    if (this.#stopped) return;
    if (this.#advancing) {
      this.#pending = true;
      return;
    }
    this.#advancing = true;
    void (async () => {
      try {
        await this.#o.stream.whenRoom(this.#o.highWater ?? LEGACY_PAGE * 25);
        if (this.#stopped) return;
        const old = this.#current;
        const next = await this.#subscribe(Math.max(this.#o.stream.delivered, this.#o.after) || -1);
        if (!next) return;
        this.#current = next;
        this.#pages += 1;
        await old?.subscription?.unsubscribe().catch(() => undefined);
        this.#checkPage(next);
      } catch (err) {
        if (!this.#stopped) this.#o.stream.fail(err as Error);
      } finally {
        this.#advancing = false;
        if (this.#pending && !this.#stopped) {
          this.#pending = false;
          if (this.#current) this.#checkPage(this.#current);
        }
      }
    })();
  }
}
