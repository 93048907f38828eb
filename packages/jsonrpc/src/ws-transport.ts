import { PeerError } from './errors.js';
import type { MessageTransport, TransportHandlers } from './transport.js';

/** The part of a `ws` WebSocket this adapter needs (kept structural so this package has no ws dependency). */
export interface WebSocketLike {
  readonly readyState: number;
  /** Bytes queued to send and not yet handed to the kernel (`ws` has it). */
  readonly bufferedAmount?: number;
  send(data: string, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  /** Stop / restart reading frames from the socket (`ws` ≥ 8 has both). */
  pause?(): void;
  resume?(): void;
  /** Destroy the socket at once. */
  terminate?(): void;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** Close code for a peer that does not read what is sent to it (application range, RFC 6455 §7.4.2). */
export const SLOW_CONSUMER_CLOSE_CODE = 4008;

export interface WebSocketTransportOptions {
  /**
   * Output back-pressure: while more than this many bytes wait to be sent, no more frames are read
   * from the peer (so it cannot make us produce more), until the output falls to half. Default: off.
   */
  highWaterBytes?: number;
  /** Close with 4008 as soon as more than this many bytes wait to be sent. Default: no bound. */
  maxBufferedBytes?: number;
  /** Close with 4008 when output stays above `highWaterBytes` without draining for this long. */
  stallMs?: number;
  /** Told once, just before a 4008 close. */
  onSlowConsumer?: (info: { reason: 'buffer' | 'stall'; bufferedBytes: number }) => void;
}

const OPEN = 1;
const POLL_MS = 25;

/** One JSON-RPC message per WebSocket frame. Frame size bounds are the socket's `maxPayload`. */
export class WebSocketTransport implements MessageTransport {
  readonly #socket: WebSocketLike;
  readonly #options: WebSocketTransportOptions;
  #handlers: TransportHandlers | undefined;
  #closed = false;
  #lastError: Error | undefined;
  readonly #holds = new Set<string>();
  #paused = false;
  /** Set while output is above the high-water mark: polls until it drains. */
  #drainTimer: NodeJS.Timeout | undefined;
  #lastBuffered = 0;
  #lastProgressAt = 0;

  constructor(socket: WebSocketLike, options: WebSocketTransportOptions = {}) {
    this.#socket = socket;
    this.#options = options;
  }

  attach(handlers: TransportHandlers): void {
    if (this.#handlers) throw new TypeError('WebSocketTransport.attach called twice');
    this.#handlers = handlers;
    this.#socket.on('message', (data) => {
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Buffer.from(data).toString('utf8');
      handlers.message(text);
    });
    this.#socket.on('error', (err) => {
      this.#lastError = err;
    });
    this.#socket.on('close', (code, reason) => {
      const why = reason.length ? `${code} ${reason.toString()}` : String(code);
      this.#finish(this.#lastError ?? (code === 1000 || code === 1005 ? undefined : new PeerError('PEER_CLOSED', `websocket closed: ${why}`)));
    });
  }

  /** Bytes waiting to be sent. */
  get bufferedBytes(): number {
    return this.#socket.bufferedAmount ?? 0;
  }

  send(text: string): Promise<void> {
    if (this.#closed || this.#socket.readyState !== OPEN) {
      return Promise.reject(new PeerError('PEER_CLOSED', 'websocket is not open'));
    }
    const written = new Promise<void>((resolve, reject) => {
      this.#socket.send(text, (err) => {
        if (err) reject(new PeerError('WRITE_FAILED', `websocket send failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
    this.#checkOutput();
    return written;
  }

  holdReading(reason: string): void {
    this.#holds.add(reason);
    if (!this.#paused) {
      this.#paused = true;
      this.#socket.pause?.();
    }
  }

  releaseReading(reason: string): void {
    this.#holds.delete(reason);
    if (this.#paused && this.#holds.size === 0 && !this.#closed) {
      this.#paused = false;
      this.#socket.resume?.();
    }
  }

  async close(code = 1000, reason = ''): Promise<void> {
    try {
      this.#socket.close(code, reason);
    } catch {
      // already closing
    }
    this.#finish();
  }

  /**
   * Closes with `code` and stops reading at once; the socket is destroyed after `graceMs` even if
   * the peer never answers the close (it may not be reading at all).
   */
  abort(code: number, reason: string, graceMs = 1000, error?: Error): void {
    if (this.#closed) return;
    this.holdReading('closing');
    try {
      this.#socket.close(code, reason.slice(0, 120));
    } catch {
      // already closing
    }
    setTimeout(() => this.#socket.terminate?.(), graceMs).unref();
    this.#finish(error);
  }

  #checkOutput(): void {
    const { highWaterBytes, maxBufferedBytes } = this.#options;
    const buffered = this.bufferedBytes;
    if (maxBufferedBytes !== undefined && buffered > maxBufferedBytes) {
      this.#slowConsumer('buffer', buffered);
      return;
    }
    if (highWaterBytes === undefined || buffered <= highWaterBytes || this.#drainTimer) return;
    this.holdReading('output');
    this.#handlers?.outputPressure?.(true);
    this.#lastBuffered = buffered;
    this.#lastProgressAt = Date.now();
    this.#drainTimer = setInterval(() => this.#pollOutput(highWaterBytes), POLL_MS);
    this.#drainTimer.unref();
  }

  #pollOutput(highWaterBytes: number): void {
    if (this.#closed) {
      this.#stopPolling();
      return;
    }
    const buffered = this.bufferedBytes;
    if (buffered <= highWaterBytes / 2) {
      this.#stopPolling();
      this.releaseReading('output');
      this.#handlers?.outputPressure?.(false);
      return;
    }
    const now = Date.now();
    if (buffered < this.#lastBuffered) this.#lastProgressAt = now;
    this.#lastBuffered = buffered;
    const { stallMs, maxBufferedBytes } = this.#options;
    if (maxBufferedBytes !== undefined && buffered > maxBufferedBytes) this.#slowConsumer('buffer', buffered);
    else if (stallMs !== undefined && now - this.#lastProgressAt > stallMs) this.#slowConsumer('stall', buffered);
  }

  #stopPolling(): void {
    clearInterval(this.#drainTimer);
    this.#drainTimer = undefined;
  }

  #slowConsumer(reason: 'buffer' | 'stall', bufferedBytes: number): void {
    if (this.#closed) return;
    this.#stopPolling();
    try {
      this.#options.onSlowConsumer?.({ reason, bufferedBytes });
    } catch {
      // a reporting hook must not stop the close
    }
    const why =
      reason === 'buffer'
        ? `slow consumer: over ${this.#options.maxBufferedBytes} bytes of output unread`
        : `slow consumer: output not read for ${this.#options.stallMs} ms`;
    this.abort(SLOW_CONSUMER_CLOSE_CODE, why, 2000, new PeerError('SLOW_CONSUMER', `${why}; read answers as they come`));
  }

  #finish(error?: Error): void {
    this.#stopPolling();
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers?.close(error);
  }
}
