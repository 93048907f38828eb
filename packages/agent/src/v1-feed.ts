import { setTimeout as sleep } from 'node:timers/promises';
import type { BackoffSettings } from '@imsg-hub/hub-client';
import { ImsgV1ErrorCode, type ImsgClient, type ImsgMessage, type MessagesAfterResult, type Subscription } from '@imsg-hub/imsg-protocol';
import { RpcError } from '@imsg-hub/jsonrpc';
import type { Logger } from 'pino';
import { AgentError } from './errors.js';
import type { InboundStream } from './inbound-stream.js';

/** `messages.after`'s largest page (reference/imsg-protocol-v1.md §3.5). */
export const CATCH_UP_PAGE = 500;
/** imsg 0.15's largest watch buffer (§3.9). */
export const WATCH_BUFFER_MAX = 4096;

export interface V1FeedOptions {
  client: ImsgClient;
  stream: InboundStream;
  /** The acked cursor: rows after it are fetched. */
  after: number;
  debounceMs: number;
  /** The watch's `buffer_limit` (default the largest, 4096). */
  bufferLimit?: number;
  /** Rows waiting for the hub above which the catch-up pauses (memory bound). */
  highWater?: number;
  timeoutMs: number;
  /** chat.db cannot be read (imsg's -32002 detail): the owner refreshes and reports health. */
  onDatabaseUnavailable: (detail: string) => void;
  backoff: BackoffSettings;
  log: Logger;
}

/**
 * Inbound rows from imsg 0.14+ (reference/imsg-protocol-v1.md §3.5, §3.9): a catch-up in
 * `messages.after` pages of 500 from the cursor until `has_more` is false, then a watch from the
 * pager's `next_rowid`; a terminal `watch.overflow` resumes the same way from `resume_after_rowid`.
 * chat.db unavailable (-32002) or a busy imsg (-32000) is waited out with backoff; other failures
 * end the stream (its owner restarts the feed from the acked cursor).
 */
export class V1Feed {
  readonly #o: V1FeedOptions;
  #subscription: Subscription | undefined;
  #stopped = false;
  #wakeStop!: () => void;
  readonly #stopSignal = new Promise<void>((resolve) => (this.#wakeStop = resolve));
  #overflows = 0;

  constructor(options: V1FeedOptions) {
    this.#o = options;
  }

  /** How many times the watch overflowed and was resumed. */
  get overflows(): number {
    return this.#overflows;
  }

  start(): void {
    void this.#run().catch((err: unknown) => {
      if (!this.#stopped) this.#o.stream.fail(err as Error);
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wakeStop();
    const sub = this.#subscription;
    this.#subscription = undefined;
    await sub?.unsubscribe().catch(() => undefined);
  }

  async #run(): Promise<void> {
    let since = this.#o.after;
    let first = true;
    while (!this.#stopped) {
      // Rows the first catch-up reads existed before the watch started: replays (design.md, inbound 6).
      since = await this.#catchUp(since, first);
      first = false;
      if (this.#stopped) return;
      const resume = await this.#watch(since);
      if (resume === undefined) return;
      this.#overflows += 1;
      this.#o.log.warn({ resume_after_rowid: resume }, 'imsg watch overflowed; catching up from where it stopped');
      since = resume;
    }
  }

  /** Pages `messages.after` into the stream (as replays when `replay`); returns the cursor the watch starts after. */
  async #catchUp(from: number, replay: boolean): Promise<number> {
    const { client, stream, timeoutMs } = this.#o;
    const highWater = this.#o.highWater ?? CATCH_UP_PAGE * 12;
    let since = from;
    let pages = 0;
    const fetch = (cursor: number) => {
      const page = this.#retrying('messages.after', () =>
        client.messagesAfter({ since_rowid: Math.max(0, cursor), limit: CATCH_UP_PAGE, attachments: true, include_reactions: true }, timeoutMs),
      );
      page.catch(() => undefined); // a prefetch abandoned by stop() must not be an unhandled rejection
      return page;
    };
    let next: ReturnType<typeof fetch> | undefined = fetch(since);
    while (next !== undefined && !this.#stopped) {
      const page: MessagesAfterResult = await next;
      next = undefined as ReturnType<typeof fetch> | undefined;
      if (this.#stopped) break;
      pages += 1;
      // The next page is read while this one goes to the hub, unless the hub is behind.
      if (page.has_more && stream.backlog + page.messages.length < highWater) next = fetch(page.next_rowid);
      const messages = page.has_more ? page.messages : untilUnjoined(page.messages);
      if (replay && messages.length > 0) stream.markReplayUpTo(messages.at(-1)!.id);
      for (const m of messages) stream.push(m);
      if (messages.length < page.messages.length) {
        // A fresh row whose chat is not joined yet: the watch waits for its join (§3.9.2).
        return messages.at(-1)?.id ?? since;
      }
      since = Math.max(since, page.next_rowid);
      if (!page.has_more) break;
      if (!next) {
        await stream.whenRoom(highWater - CATCH_UP_PAGE);
        next = fetch(since);
      }
    }
    if (pages > 2) this.#o.log.info({ pages, cursor: since }, 'caught up with messages.after');
    return since;
  }

  /** Watches after `since` until the watch overflows (its resume point) or the feed stops. */
  async #watch(since: number): Promise<number | undefined> {
    const { client, stream } = this.#o;
    let overflowed!: (resume: number) => void;
    let failed!: (err: Error) => void;
    const ended = new Promise<number>((resolve, reject) => {
      overflowed = resolve;
      failed = reject;
    });
    ended.catch(() => undefined); // a failure after stop() is nobody's business
    const subscription = await this.#retrying('watch.subscribe', () =>
      client.subscribe(
        {
          // Never 0 (the tail): -1 replays everything when nothing was read yet (§3.9.1).
          since_rowid: since > 0 ? since : -1,
          attachments: true,
          include_reactions: true,
          debounce_ms: this.#o.debounceMs,
          buffer_limit: this.#o.bufferLimit ?? WATCH_BUFFER_MAX,
        },
        {
          message: (m) => stream.push(m),
          overflow: (resume) => overflowed(resume),
          error: (text) => failed(new AgentError('WATCH_FAILED', `imsg watch failed: ${text}`)),
          invalid: (raw, why) => this.#o.log.error({ why, rowid: (raw as { id?: unknown })?.id }, 'imsg sent a row that does not validate; skipped'),
        },
        this.#o.timeoutMs,
      ),
    );
    if (this.#stopped) {
      await subscription.unsubscribe().catch(() => undefined);
      return undefined;
    }
    this.#subscription = subscription;
    const outcome = await Promise.race([ended, this.#stopSignal.then(() => undefined)]);
    if (this.#subscription === subscription) this.#subscription = undefined;
    return outcome;
  }

  /** Runs `step`, waiting out an unreadable chat.db or a busy imsg with backoff while not stopped. */
  async #retrying<T>(what: string, step: () => Promise<T>): Promise<T> {
    let delay = this.#o.backoff.initial_ms;
    for (;;) {
      try {
        return await step();
      } catch (err) {
        const code = err instanceof RpcError ? err.code : undefined;
        if (this.#stopped || (code !== ImsgV1ErrorCode.DatabaseUnavailable && code !== ImsgV1ErrorCode.ServerBusy)) throw err;
        if (code === ImsgV1ErrorCode.DatabaseUnavailable) {
          const detail = (err as RpcError).data as { detail?: unknown } | undefined;
          this.#o.onDatabaseUnavailable(typeof detail?.detail === 'string' ? detail.detail : (err as RpcError).message);
        }
        this.#o.log.warn(
          { what, code, retryInMs: delay },
          code === ImsgV1ErrorCode.ServerBusy ? 'imsg is busy; retrying' : 'chat.db unavailable; waiting for it',
        );
        await Promise.race([sleep(delay), this.#stopSignal]);
        delay = Math.min(this.#o.backoff.max_ms, delay * 2);
      }
    }
  }
}

/** The page up to (not including) its first row not yet joined to a chat. */
function untilUnjoined(messages: readonly ImsgMessage[]): readonly ImsgMessage[] {
  const first = messages.findIndex((m) => m.chat_id <= 0);
  return first < 0 ? messages : messages.slice(0, first);
}
