import type { BridgeEvent, Subscription } from '@imsg-hub/imsg-protocol';
import type { Peer } from '@imsg-hub/jsonrpc';
import type { Logger } from 'pino';
import type { ImsgSession } from './imsg-session.js';

export interface TypingFeedOptions {
  account: string;
  /** The hub link, when it is up (typing is ephemeral: with the link down it is dropped). */
  peer: () => Peer | undefined;
  timeoutMs: number;
  /** Wait before subscribing again after the stream ended or was refused. */
  retryMs?: number;
  log: Logger;
}

const TYPING: Record<string, boolean> = { 'started-typing': true, 'stopped-typing': false };

/**
 * Typing indicators from one account's imsg (reference/imsg-protocol-v1.md §3.11): where the
 * running imsg lists `bridge.events.subscribe` among its usable methods (0.14+ with the bridge and
 * its event log), subscribes and forwards `started-typing` / `stopped-typing` to the hub as
 * `chat.typing`. A stream that ends (overflow, error: both terminal) is subscribed again; events
 * are live only (imsg never replays them), so nothing is caught up.
 */
export class TypingFeed {
  readonly #o: TypingFeedOptions;
  #session: ImsgSession | undefined;
  #sub: Subscription | undefined;
  #starting = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(options: TypingFeedOptions) {
    this.#o = options;
  }

  /** Whether a bridge event stream is open now (tests). */
  get active(): boolean {
    return this.#sub !== undefined;
  }

  /** imsg (re)started, stopped (undefined) or its capabilities changed: subscribe when it can. */
  sync(session: ImsgSession | undefined): void {
    if (session !== this.#session) {
      this.#drop();
      this.#session = session;
    }
    if (!session || this.#sub || this.#starting || this.#retry) return;
    if (!session.profile.info.methods.includes('bridge.events.subscribe')) return;
    this.#starting = true;
    session.client
      .subscribeBridgeEvents({}, { event: (e) => this.#forward(e), ended: (reason) => this.#ended(session, reason) }, this.#o.timeoutMs)
      .then((sub) => {
        if (this.#session === session) this.#sub = sub;
        else void sub.unsubscribe().catch(() => undefined);
      })
      .catch((err: Error) => {
        this.#o.log.warn({ err: err.message }, 'imsg refused bridge events; typing indicators wait until it allows them');
        this.#retryLater(session);
      })
      .finally(() => (this.#starting = false));
  }

  stop(): void {
    this.#drop();
    this.#session = undefined;
  }

  #ended(session: ImsgSession, reason: string): void {
    if (this.#session !== session) return;
    this.#sub = undefined;
    this.#o.log.warn({ reason }, 'imsg bridge event stream ended; subscribing again');
    this.#retryLater(session);
  }

  #retryLater(session: ImsgSession): void {
    if (this.#retry || this.#session !== session) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#session === session) this.sync(session);
    }, this.#o.retryMs ?? 5000);
    this.#retry.unref();
  }

  #forward(e: BridgeEvent): void {
    const typing = TYPING[e.event];
    const chatGuid = e.data['chatGuid'];
    if (typing === undefined || typeof chatGuid !== 'string' || chatGuid === '' || chatGuid.length > 512) return;
    const at = typeof e.ts === 'string' && e.ts.length <= 40 ? { at: e.ts } : {};
    this.#o
      .peer()
      ?.notify('chat.typing', { account: this.#o.account, chat_guid: chatGuid, typing, ...at })
      .catch(() => undefined);
  }

  #drop(): void {
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
    const sub = this.#sub;
    this.#sub = undefined;
    void sub?.unsubscribe().catch(() => undefined);
  }
}
