import { PeerError } from './errors.js';
import type { MessageTransport, TransportHandlers } from './transport.js';

/** The part of a `ws` WebSocket this adapter needs (kept structural so this package has no ws dependency). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

const OPEN = 1;

/** One JSON-RPC message per WebSocket frame. Frame size bounds are the socket's `maxPayload`. */
export class WebSocketTransport implements MessageTransport {
  readonly #socket: WebSocketLike;
  #handlers: TransportHandlers | undefined;
  #closed = false;
  #lastError: Error | undefined;

  constructor(socket: WebSocketLike) {
    this.#socket = socket;
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

  send(text: string): Promise<void> {
    if (this.#closed || this.#socket.readyState !== OPEN) {
      return Promise.reject(new PeerError('PEER_CLOSED', 'websocket is not open'));
    }
    return new Promise((resolve, reject) => {
      this.#socket.send(text, (err) => {
        if (err) reject(new PeerError('WRITE_FAILED', `websocket send failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  async close(code = 1000, reason = ''): Promise<void> {
    try {
      this.#socket.close(code, reason);
    } catch {
      // already closing
    }
    this.#finish();
  }

  #finish(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers?.close(error);
  }
}
