import { closeSync, openSync, readSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface BridgeEventSink {
  event(event: { event: string; ts?: string; data: Record<string, unknown> }): Promise<void>;
  overflow(): Promise<void>;
  error(code: string, message: string): Promise<void>;
  ended(): void;
}

const POLL_MS = 200;
const MAX_LINE = 64 * 1024;

/**
 * One `bridge.events.subscribe` (IMsgEventTailer, reference/imsg-protocol-v1.md §3.11): tails the
 * event log from its EOF at subscribe time (never replays), normalizes each line to
 * `{event, ts?, data}`, buffers up to `bufferLimit` events; the first that does not fit ends the
 * stream with one terminal overflow. A log replaced by another file is read from its start.
 */
export class BridgeEventTail {
  readonly #path: string;
  readonly #limit: number;
  readonly #sink: BridgeEventSink;
  readonly #buffer: { event: string; ts?: string; data: Record<string, unknown> }[] = [];
  #offset = 0;
  #ino = 0;
  #partial = '';
  #stopped = false;
  #overflowed = false;
  #timer: NodeJS.Timeout | undefined;
  #watcher: FSWatcher | undefined;
  #draining: Promise<void> | undefined;

  constructor(path: string, bufferLimit: number, sink: BridgeEventSink) {
    this.#path = path;
    this.#limit = bufferLimit;
    this.#sink = sink;
  }

  /** The log's EOF when subscribing, fixed before the response is written. */
  prepare(): void {
    const s = statSync(this.#path);
    this.#offset = s.size;
    this.#ino = s.ino;
  }

  start(): void {
    this.#timer = setInterval(() => this.#read(), POLL_MS);
    try {
      const name = basename(this.#path);
      this.#watcher = watch(dirname(this.#path), { persistent: false }, (_e, f) => {
        if (f === null || String(f) === name) this.#read();
      });
      this.#watcher.on('error', () => this.#watcher?.close());
    } catch {
      // the poll alone keeps the tail going
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopSources();
    this.#buffer.length = 0;
    await this.#draining;
  }

  #stopSources(): void {
    clearInterval(this.#timer);
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #read(): void {
    if (this.#stopped || this.#overflowed) return;
    let fd: number | undefined;
    try {
      const s = statSync(this.#path);
      if (s.ino !== this.#ino || s.size < this.#offset) {
        // Rotated: the new file is read from its start.
        this.#ino = s.ino;
        this.#offset = 0;
        this.#partial = '';
      }
      if (s.size === this.#offset) return;
      fd = openSync(this.#path, 'r');
      const chunk = Buffer.alloc(Math.min(s.size - this.#offset, 1024 * 1024));
      const n = readSync(fd, chunk, 0, chunk.length, this.#offset);
      this.#offset += n;
      const lines = (this.#partial + chunk.subarray(0, n).toString('utf8')).split('\n');
      this.#partial = (lines.pop() ?? '').slice(0, MAX_LINE);
      for (const line of lines) {
        if (line.trim() === '') continue;
        if (this.#buffer.length >= this.#limit) {
          this.#overflowed = true;
          this.#stopSources();
          break;
        }
        this.#buffer.push(normalize(line));
      }
    } catch (err) {
      void this.#finish('event_log_read_failed', (err as Error).message);
      return;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    this.#drain();
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = (async () => {
      while (!this.#stopped && this.#buffer.length > 0) await this.#sink.event(this.#buffer.shift()!);
      if (!this.#stopped && this.#overflowed) {
        this.#stopped = true;
        await this.#sink.overflow();
        this.#sink.ended();
      }
    })().finally(() => {
      this.#draining = undefined;
      if (!this.#stopped && this.#buffer.length > 0) this.#drain();
    });
  }

  async #finish(code: string, message: string): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopSources();
    await this.#sink.error(code, message);
    this.#sink.ended();
  }
}

/** A log line as the RPC forwards it: `event` (or `unknown`), `ts` when present, `data` or {}. */
function normalize(line: string): { event: string; ts?: string; data: Record<string, unknown> } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { event: 'unknown', data: {} };
  }
  const o = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  const data = typeof o['data'] === 'object' && o['data'] !== null && !Array.isArray(o['data']) ? (o['data'] as Record<string, unknown>) : {};
  return { event: typeof o['event'] === 'string' ? o['event'] : 'unknown', ...(typeof o['ts'] === 'string' ? { ts: o['ts'] } : {}), data };
}
