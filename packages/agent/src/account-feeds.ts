import type { Peer } from '@imsg-hub/jsonrpc';
import type { Logger } from 'pino';
import type { ImsgSession } from './imsg-session.js';
import { TypingFeed } from './typing-feed.js';
import { UnreadPoller } from './unread-poller.js';

/** What an account's imsg tells the hub beside its rows: typing indicators and unread counts. */
export class AccountFeeds {
  readonly #typing: TypingFeed;
  readonly #unread: UnreadPoller;
  #session: ImsgSession | undefined;

  constructor(account: string, peer: () => Peer | undefined, settings: { unread_interval_ms: number; watchdog: { probe_timeout_ms: number } }, log: Logger) {
    const timeoutMs = settings.watchdog.probe_timeout_ms;
    this.#typing = new TypingFeed({ account, peer, timeoutMs, log });
    this.#unread = new UnreadPoller({
      account,
      // imsg 0.14+ gives unread counts in chats.list.
      imsg: () => (this.#session?.profile.v1 && this.#session.profile.info.methods.includes('chats.list') ? this.#session.client : undefined),
      peer,
      intervalMs: settings.unread_interval_ms,
      timeoutMs,
      log,
    });
  }

  start(): void {
    this.#unread.start();
  }

  /** imsg started, stopped (undefined), or what it can do changed. */
  imsg(session: ImsgSession | undefined): void {
    this.#session = session;
    this.#typing.sync(session);
  }

  /** A new hub link: it has no counts yet. */
  linkUp(): void {
    this.#unread.linkUp();
  }

  /** A chat was just marked read: its count changed. */
  read(): void {
    void this.#unread.poll();
  }

  stop(): void {
    this.#typing.stop();
    this.#unread.stop();
  }
}
