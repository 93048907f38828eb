import type { DbChangeSource } from '../db-change-source.js';
import { messageSender } from '../message-payload.js';
import type { MessageRow } from '../message-row.js';
import type { ChatDbReaderV1 } from './chat-db-reader-v1.js';

/** Rows read per poll (MessageWatcher batchLimit). */
export const WATCH_V1_BATCH = 100;
/** Polls an all-chat stream waits for a row's chat to be joined before dropping it. */
export const UNRESOLVED_CHAT_RETRIES = 20;

export interface WatchV1Options {
  /** since_rowid as given: undefined or 0 start at the tail, negative replays everything. */
  sinceRowId: number | undefined;
  chatId?: number | undefined;
  includeReactions: boolean;
  attachments: boolean;
  participants: readonly string[];
  startMs?: number | undefined;
  endMs?: number | undefined;
  debounceMs: number;
  pollMs: number;
  bufferLimit: number;
  /** True while the test-only `watch: silent` fault holds: the subscription stalls for good. */
  silent: () => boolean;
}

export interface WatchV1Sink {
  /** Writes one `message` notification; resolves once written (the buffer drains on it). */
  message(payload: Record<string, unknown>): Promise<void>;
  /** The terminal `watch.overflow`. */
  overflow(resumeAfterRowId: number): Promise<void>;
  /** The terminal `error`. */
  error(message: string): Promise<void>;
  /** The subscription ended on its own (after overflow or error): free its slot. */
  ended(): void;
}

/**
 * One 0.15 watch subscription (MessageWatcher@4c32b80e, reference/imsg-protocol-v1.md §3.9): polls
 * read up to 100 rows past the cursor and, when the cursor moved, poll again at once; admitted rows
 * wait in a buffer of `bufferLimit` until written. The first eligible row that does not fit ends the
 * stream: the buffered rows drain, then one `watch.overflow {resume_after_rowid}`. Rows whose chat
 * is not joined yet are retried, then dropped. stop() is silent and final.
 */
export class WatcherV1 {
  readonly #reader: ChatDbReaderV1;
  readonly #changes: DbChangeSource;
  readonly #o: WatchV1Options;
  readonly #sink: WatchV1Sink;
  readonly #participants: Set<string>;
  readonly #buffer: MessageRow[] = [];
  readonly #attempts = new Map<number, number>();
  #cursor = 0;
  #resumeAfter = 0;
  #terminal: { kind: 'overflow' } | { kind: 'error'; message: string } | undefined;
  #stopped = false;
  #stalled = false;
  #debounce: NodeJS.Timeout | undefined;
  #fallback: NodeJS.Timeout | undefined;
  #again: NodeJS.Immediate | undefined;
  #unlisten: (() => void) | undefined;
  #draining: Promise<void> | undefined;

  constructor(reader: ChatDbReaderV1, changes: DbChangeSource, options: WatchV1Options, sink: WatchV1Sink) {
    this.#reader = reader;
    this.#changes = changes;
    this.#o = options;
    this.#sink = sink;
    this.#participants = new Set(options.participants.map((p) => p.toLowerCase()));
  }

  /**
   * Fixes the starting cursor now, before the subscribe response is written: a row the client
   * writes once it holds the response is after the tail (imsg captures the tail first, too).
   */
  prepare(): void {
    const since = this.#o.sinceRowId ?? 0;
    this.#cursor = since === 0 ? this.#reader.maxRowId() : since;
    this.#resumeAfter = this.#cursor;
  }

  /** Starts after the subscribe response is written: first poll at once. */
  start(): void {
    this.#unlisten = this.#changes.subscribe(() => this.#schedule());
    this.#fallback = setInterval(() => this.#poll(), this.#o.pollMs);
    this.#again = setImmediate(() => this.#poll());
  }

  /** Unsubscribe or EOF: nothing more is written once this resolves. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopSources();
    this.#buffer.length = 0;
    await this.#draining;
  }

  #stopSources(): void {
    this.#unlisten?.();
    this.#unlisten = undefined;
    clearTimeout(this.#debounce);
    clearInterval(this.#fallback);
    if (this.#again) clearImmediate(this.#again);
  }

  #schedule(): void {
    if (this.#debounce !== undefined || this.#stopped || this.#terminal) return;
    this.#debounce = setTimeout(() => {
      this.#debounce = undefined;
      this.#poll();
    }, this.#o.debounceMs);
  }

  #poll(): void {
    this.#again = undefined;
    if (this.#stopped || this.#terminal || this.#stalled) return;
    if (this.#o.silent()) {
      this.#stalled = true;
      this.#stopSources();
      return;
    }
    const before = this.#cursor;
    try {
      const rows = this.#reader.scan({ after: this.#cursor, chatId: this.#o.chatId, limit: WATCH_V1_BATCH, includeReactions: this.#o.includeReactions });
      for (const row of rows) {
        if (!this.#admit(row)) break;
      }
    } catch (err) {
      this.#fail(err);
      return;
    }
    if (!this.#terminal && this.#cursor > before) this.#again = setImmediate(() => this.#poll());
    this.#drain();
  }

  /** False stops the batch: an unresolved chat still being retried, or overflow. */
  #admit(row: MessageRow): boolean {
    if (this.#o.chatId === undefined && (row.chat_id ?? 0) <= 0) {
      const attempts = (this.#attempts.get(row.id) ?? 0) + 1;
      if (attempts <= UNRESOLVED_CHAT_RETRIES) {
        this.#attempts.set(row.id, attempts);
        this.#schedule();
        return false;
      }
      this.#attempts.delete(row.id);
      this.#cursor = Math.max(this.#cursor, row.id);
      return true;
    }
    this.#attempts.delete(row.id);
    this.#cursor = Math.max(this.#cursor, row.id);
    if (!this.#eligible(row)) return true;
    if (this.#buffer.length >= this.#o.bufferLimit) {
      this.#terminal = { kind: 'overflow' };
      this.#stopSources();
      return false;
    }
    this.#buffer.push(row);
    this.#resumeAfter = row.id;
    return true;
  }

  #eligible(row: MessageRow): boolean {
    if (this.#participants.size > 0 && !this.#participants.has(messageSender(row).toLowerCase())) return false;
    if (this.#o.startMs !== undefined || this.#o.endMs !== undefined) {
      const at = Number(row.date ?? 0) / 1e6 + 978_307_200_000;
      if (this.#o.startMs !== undefined && at < this.#o.startMs) return false;
      if (this.#o.endMs !== undefined && at >= this.#o.endMs) return false;
    }
    return true;
  }

  #fail(err: unknown): void {
    this.#terminal = { kind: 'error', message: err instanceof Error ? err.message : String(err) };
    this.#stopSources();
    this.#drain();
  }

  /** Writes buffered rows one at a time (payloads built at emission, chat metadata fresh). */
  #drain(): void {
    if (this.#draining) return;
    this.#draining = this.#drainLoop().finally(() => {
      this.#draining = undefined;
      // Rows admitted while the last write was in flight.
      if (!this.#stopped && (this.#buffer.length > 0 || this.#terminal)) this.#drain();
    });
  }

  async #drainLoop(): Promise<void> {
    try {
      while (!this.#stopped && this.#buffer.length > 0) {
        const row = this.#buffer.shift()!;
        const [payload] = this.#reader.payloads([row], {
          attachments: this.#o.attachments,
          reactions: this.#o.includeReactions,
          events: this.#o.includeReactions,
        });
        await this.#sink.message(payload!);
      }
      const terminal = this.#terminal;
      if (this.#stopped || !terminal) return;
      this.#stopped = true;
      if (terminal.kind === 'overflow') await this.#sink.overflow(this.#resumeAfter);
      else await this.#sink.error(terminal.message);
      this.#sink.ended();
    } catch (err) {
      if (this.#stopped) return;
      this.#stopped = true;
      this.#stopSources();
      await this.#sink.error(err instanceof Error ? err.message : String(err));
      this.#sink.ended();
    }
  }
}
