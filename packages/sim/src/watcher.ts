import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AfterQuery, ChatDbReader } from './chat-db-reader.js';
import type { DbChangeSource } from './db-change-source.js';

/** imsg's page size per poll (MessagesAfterQuery LIMIT 100). */
export const WATCH_PAGE_SIZE = 100;

export interface WatchOptions {
  /** Exclusive ROWID cursor; negative replays the whole table. */
  cursor: number;
  chatId?: number | undefined;
  includeReactions: boolean;
  attachments: boolean;
  /** In-process filter: case-insensitive exact match on the payload's sender. */
  participants: readonly string[];
  startMs?: number | undefined;
  endMs?: number | undefined;
  debounceMs: number;
  pollMs: number;
  /**
   * `imsg` (default): one page of 100 rows per trigger, as imsg reads (a backlog drains slowly, and
   * clients must cope — the agent's backlog pump does). `drain`: keep reading pages until empty.
   */
  pace?: 'imsg' | 'drain';
}

export interface WatchSink {
  message(payload: Record<string, unknown>): void;
  /** The stream failed; nothing more will be emitted. */
  error(message: string): void;
}

/**
 * One watch subscription (imsg's MessageWatcher): an immediate first poll, file events debounced
 * by `debounceMs` (further events are ignored until the delayed poll runs), and a fallback poll;
 * each poll reads one page of 100 rows, as imsg does (or, with `pace: 'drain'`, every page).
 */
export class Watcher {
  readonly #reader: ChatDbReader;
  readonly #changes: DbChangeSource;
  readonly #options: WatchOptions;
  readonly #sink: WatchSink;
  #cursor: number;
  #debounce: NodeJS.Timeout | undefined;
  #fallback: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #polling = false;
  #again = false;
  #stopped = false;
  readonly #participants: Set<string>;

  constructor(reader: ChatDbReader, changes: DbChangeSource, options: WatchOptions, sink: WatchSink) {
    this.#reader = reader;
    this.#changes = changes;
    this.#options = options;
    this.#sink = sink;
    this.#cursor = options.cursor;
    this.#participants = new Set(options.participants.map((p) => p.toLowerCase()));
  }

  get cursor(): number {
    return this.#cursor;
  }

  /** Starts watching; the first poll runs on the next turn, after the subscribe response is written. */
  start(): void {
    this.#unsubscribe = this.#changes.subscribe(() => this.#onChange());
    this.#fallback = setInterval(() => void this.poll(), this.#options.pollMs);
    setImmediate(() => void this.poll());
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    clearTimeout(this.#debounce);
    clearInterval(this.#fallback);
  }

  /** Reads every row past the cursor and emits the matching ones. */
  async poll(): Promise<void> {
    if (this.#stopped) return;
    if (this.#polling) {
      this.#again = true;
      return;
    }
    this.#polling = true;
    try {
      do {
        this.#again = false;
        let full = true;
        while (full && !this.#stopped) {
          full = this.#pollPage() === WATCH_PAGE_SIZE && this.#options.pace === 'drain';
          // Let requests and other subscriptions run between pages of a large backlog.
          if (full) await nextTurn();
        }
      } while (this.#again && !this.#stopped);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.stop();
      this.#sink.error(message);
    } finally {
      this.#polling = false;
    }
  }

  #onChange(): void {
    if (this.#debounce !== undefined || this.#stopped) return;
    this.#debounce = setTimeout(() => {
      this.#debounce = undefined;
      void this.poll();
    }, this.#options.debounceMs);
  }

  #pollPage(): number {
    const query: AfterQuery = {
      cursor: this.#cursor,
      chatId: this.#options.chatId,
      limit: WATCH_PAGE_SIZE,
      includeReactions: this.#options.includeReactions,
      attachments: this.#options.attachments,
    };
    const page = this.#reader.messagesAfter(query);
    const last = page.rows.at(-1);
    if (last) this.#cursor = Math.max(this.#cursor, last.id);
    for (const payload of page.payloads) {
      if (this.#stopped) break;
      if (this.#matches(payload)) this.#sink.message(payload);
    }
    return page.rows.length;
  }

  #matches(payload: Record<string, unknown>): boolean {
    if (this.#participants.size > 0 && !this.#participants.has(String(payload['sender']).toLowerCase())) return false;
    if (this.#options.startMs !== undefined || this.#options.endMs !== undefined) {
      const at = Date.parse(String(payload['created_at']));
      if (this.#options.startMs !== undefined && at < this.#options.startMs) return false;
      if (this.#options.endMs !== undefined && at >= this.#options.endMs) return false;
    }
    return true;
  }
}
