import { escapeLineSeparators, JsonRpcErrorCode, RpcError, type MessageTransport } from '@imsg-hub/jsonrpc';
import type { Params } from './coerce.js';
import { imsgError } from './imsg-error.js';
import { parseImsgRequest } from './request-parser.js';

/** Lets a backend push notifications (watch `message` / `error`) between responses. */
export interface ImsgSession {
  notify(method: string, params: unknown): void;
}

/** What answers the methods: the simulator over a chat.db, or the hub facade. */
export interface ImsgBackend {
  /** Handles one request; throws RpcError (imsg's code and data) to answer with an error. */
  handle(method: string, params: Params, session: ImsgSession): Promise<unknown> | unknown;
  /** Cancels subscriptions and releases resources at stdin EOF. */
  close(): Promise<void> | void;
}

export interface ImsgRpcServerOptions {
  /** Exit status after EOF: 0 normally, 1 in startup-error mode (§1.5). */
  exitCode?: number;
  /** Told about lines dropped for size. */
  onOversize?: (bytes: number) => void;
}

/**
 * Serves `imsg rpc` semantics over a line transport: one request at a time in order, results only
 * for requests that carried an id, errors always, notifications interleaved, exit on EOF.
 */
export class ImsgRpcServer {
  readonly #transport: MessageTransport;
  readonly #backend: ImsgBackend;
  readonly #options: ImsgRpcServerOptions;
  readonly #queue: string[] = [];
  #draining = false;
  #eof = false;
  #done!: (code: number) => void;
  readonly finished: Promise<number>;

  constructor(transport: MessageTransport, backend: ImsgBackend, options: ImsgRpcServerOptions = {}) {
    this.#transport = transport;
    this.#backend = backend;
    this.#options = options;
    this.finished = new Promise((resolve) => {
      this.#done = resolve;
    });
    transport.attach({
      message: (line) => {
        this.#queue.push(line);
        void this.#drain();
      },
      close: () => {
        this.#eof = true;
        void this.#drain();
      },
      oversize: (bytes) => options.onOversize?.(bytes),
    });
  }

  readonly session: ImsgSession = {
    notify: (method, params) => this.#write({ jsonrpc: '2.0', method, params }),
  };

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        await this.#handleLine(this.#queue.shift()!);
      }
      if (this.#eof) {
        await this.#backend.close();
        this.#done(this.#options.exitCode ?? 0);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #handleLine(line: string): Promise<void> {
    const parsed = parseImsgRequest(line.trim());
    if (!parsed.ok) {
      this.#sendError(parsed.id, parsed.error);
      return;
    }
    const { id, hasId, method, params } = parsed.request;
    try {
      const result = await this.#backend.handle(method, params, this.session);
      if (hasId) this.#write({ jsonrpc: '2.0', id, result });
    } catch (err) {
      this.#sendError(id, toImsgError(err));
    }
  }

  #sendError(id: unknown, error: RpcError): void {
    this.#write({ jsonrpc: '2.0', id: id ?? null, error: error.toJSON() });
  }

  #write(message: unknown): void {
    let text: string;
    try {
      text = escapeLineSeparators(JSON.stringify(message));
    } catch {
      text = '{"jsonrpc":"2.0","error":{"code":-32603,"message":"write failed"}}';
    }
    // A write after the reader went away is not an error worth crashing for (imsg ignores it too).
    this.#transport.send(text).catch(() => undefined);
  }
}

/** Maps anything thrown by a backend to imsg's error shape (-32603 with a description). */
export function toImsgError(err: unknown): RpcError {
  if (err instanceof RpcError) {
    return err.code === JsonRpcErrorCode.InternalError || typeof err.data === 'string'
      ? err
      : new RpcError(err.code, err.message, err.data === undefined ? err.message : JSON.stringify(err.data));
  }
  return imsgError.internal(err instanceof Error ? err.message : String(err));
}
