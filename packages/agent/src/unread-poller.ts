import type { ImsgClient } from '@imsg-hub/imsg-protocol';
import type { Peer } from '@imsg-hub/jsonrpc';
import type { Logger } from 'pino';

export interface UnreadPollerOptions {
  account: string;
  /** imsg when it runs and gives unread counts (0.14+ with chat.db readable). */
  imsg: () => ImsgClient | undefined;
  /** The hub link, when it is up. */
  peer: () => Peer | undefined;
  intervalMs: number;
  timeoutMs: number;
  log: Logger;
}

/** The most recent chats whose counts are reported (imsg orders `chats.list` by last message). */
export const UNREAD_CHATS = 500;

/**
 * Unread counts for the hub's chat list (reference/imsg-protocol-v1.md §4.1 `unread_count`): every
 * `intervalMs`, and at once when the hub link comes up, reads imsg's `chats.list` and reports the
 * counts of its most recent chats (`chats.unread`) when they changed since the last report.
 */
export class UnreadPoller {
  readonly #o: UnreadPollerOptions;
  #timer: NodeJS.Timeout | undefined;
  #last: string | undefined;
  #polling = false;

  constructor(options: UnreadPollerOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#o.intervalMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => void this.poll(), this.#o.intervalMs);
    this.#timer.unref();
  }

  /** A new hub link (the hub keeps counts in memory): report in full again. */
  linkUp(): void {
    this.#last = undefined;
    if (this.#o.intervalMs > 0) void this.poll();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async poll(): Promise<void> {
    const client = this.#o.imsg();
    const peer = this.#o.peer();
    if (!client || !peer || this.#polling) return;
    this.#polling = true;
    try {
      const { chats } = await client.chatsList(UNREAD_CHATS, this.#o.timeoutMs);
      const counts = chats.flatMap((c) => {
        const unread = (c as { unread_count?: unknown }).unread_count;
        return typeof unread === 'number' && Number.isInteger(unread) && unread >= 0 && c.guid ? [{ guid: c.guid.slice(0, 512), unread }] : [];
      });
      const key = JSON.stringify(counts);
      if (key === this.#last) return;
      await peer.notify('chats.unread', { account: this.#o.account, chats: counts });
      this.#last = key;
    } catch (err) {
      this.#o.log.debug({ err: (err as Error).message }, 'could not read unread counts; will try again');
    } finally {
      this.#polling = false;
    }
  }
}
