import { classify, type ErrorObject, type JsonRpcId } from './envelope.js';
import { JsonRpcErrorCode } from './error-codes.js';
import { PeerError, RpcError } from './errors.js';
import { escapeLineSeparators } from './ndjson-encoder.js';
import type { MessageTransport } from './transport.js';

/** Context handed to request handlers. */
export interface RequestContext {
  readonly id: string | number;
  readonly method: string;
}

export type RequestHandler = (method: string, params: unknown, ctx: RequestContext) => unknown;
export type NotificationHandler = (method: string, params: unknown) => void;

export interface PeerOptions {
  /** Default per-request timeout; 0 disables. Default 10 s, like OpenClaw's imsg client. */
  defaultTimeoutMs?: number;
  /** Answers incoming requests. Without it every request gets -32601. */
  onRequest?: RequestHandler;
  /** Receives incoming notifications, in arrival order relative to responses. */
  onNotification?: NotificationHandler;
  /** Told about lines/frames that are not JSON-RPC, and other protocol trouble. Never throws out. */
  onProtocolError?: (error: Error, text?: string) => void;
  /**
   * Answer malformed input with -32700/-32600 (server role, e.g. the hub). A client driving imsg
   * must not write anything back for garbage it reads, so the default is false.
   */
  answerInvalid?: boolean;
}

export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A JSON-RPC 2.0 endpoint in both roles over any MessageTransport.
 * Requests carry ids and timeouts; every pending request settles exactly once, with an
 * RpcError (peer answered an error), or a PeerError (timeout, write failure, stream closed).
 */
export class Peer {
  readonly #transport: MessageTransport;
  readonly #options: PeerOptions;
  readonly #pending = new Map<string, Pending>();
  #nextId = 1;
  #closedError: Error | undefined;
  #isClosed = false;
  readonly closed: Promise<Error | undefined>;
  #resolveClosed!: (error: Error | undefined) => void;

  constructor(transport: MessageTransport, options: PeerOptions = {}) {
    this.#transport = transport;
    this.#options = options;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    transport.attach({
      message: (text) => this.#onText(text),
      close: (error) => this.#onClose(error),
      oversize: (bytes) => this.#protocolError(new PeerError('FRAME_TOO_LARGE', `dropped an over-long message of ${bytes} bytes`)),
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Sends a request and resolves with its result. */
  request<T = unknown>(method: string, params?: unknown, options: RequestOptions = {}): Promise<T> {
    if (this.#isClosed) {
      return Promise.reject(
        new PeerError('PEER_CLOSED', `cannot call ${method}: connection closed${this.#closedError ? ` (${this.#closedError.message})` : ''}`),
      );
    }
    const id = this.#nextId++;
    const key = String(id);
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.#options.defaultTimeoutMs ?? 10_000;
      const pending: Pending = {
        method,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer: undefined,
      };
      if (timeoutMs > 0) {
        pending.timer = setTimeout(() => {
          this.#settle(key)?.reject(new PeerError('RPC_TIMEOUT', `${method} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.timer.unref?.();
      }
      if (options.signal) {
        if (options.signal.aborted) {
          reject(new PeerError('PEER_CLOSED', `${method} aborted`));
          return;
        }
        options.signal.addEventListener('abort', () => this.#settle(key)?.reject(new PeerError('PEER_CLOSED', `${method} aborted`)), { once: true });
      }
      this.#pending.set(key, pending);
      const message = { jsonrpc: '2.0', id, method, params: params ?? {} };
      this.#write(message).catch((err: Error) => this.#settle(key)?.reject(err));
    });
  }

  /** Sends a notification (no answer expected). Rejects only if the write fails. */
  notify(method: string, params?: unknown): Promise<void> {
    if (this.#isClosed) return Promise.reject(new PeerError('PEER_CLOSED', 'connection closed'));
    return this.#write({ jsonrpc: '2.0', method, params: params ?? {} });
  }

  /** Closes the transport; pending requests reject with PEER_CLOSED. */
  async close(): Promise<void> {
    await this.#transport.close();
    this.#onClose();
  }

  #write(message: unknown): Promise<void> {
    return this.#transport.send(escapeLineSeparators(JSON.stringify(message)));
  }

  #settle(key: string): Pending | undefined {
    const pending = this.#pending.get(key);
    if (!pending) return undefined;
    this.#pending.delete(key);
    if (pending.timer) clearTimeout(pending.timer);
    return pending;
  }

  #onText(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.#protocolError(new PeerError('PROTOCOL_ERROR', `unparseable message: ${(err as Error).message}`), text);
      if (this.#options.answerInvalid) {
        this.#sendError(null, new RpcError(JsonRpcErrorCode.ParseError, undefined, (err as Error).message));
      }
      return;
    }
    const msg = classify(value);
    switch (msg.kind) {
      case 'result':
        this.#onResponse(msg.id)?.resolve(msg.result);
        return;
      case 'error':
        this.#onResponse(msg.id)?.reject(errorFromWire(msg.error));
        return;
      case 'notification':
        try {
          this.#options.onNotification?.(msg.method, msg.params);
        } catch (err) {
          this.#protocolError(err as Error);
        }
        return;
      case 'request':
        void this.#answer(msg.id, msg.method, msg.params);
        return;
      case 'invalid':
        this.#protocolError(new PeerError('PROTOCOL_ERROR', `invalid JSON-RPC message: ${msg.reason}`), text);
        if (this.#options.answerInvalid) {
          this.#sendError(msg.id, new RpcError(JsonRpcErrorCode.InvalidRequest, undefined, msg.reason));
        }
    }
  }

  #onResponse(id: JsonRpcId): Pending | undefined {
    // Unknown ids (late answers after a timeout) are ignored, as OpenClaw's client does.
    return id === null ? undefined : this.#settle(String(id));
  }

  async #answer(id: string | number, method: string, params: unknown): Promise<void> {
    const handler = this.#options.onRequest;
    try {
      if (!handler) throw new RpcError(JsonRpcErrorCode.MethodNotFound, undefined, method);
      const result = await handler(method, params, { id, method });
      await this.#write({ jsonrpc: '2.0', id, result: result ?? null });
    } catch (err) {
      const rpcError = err instanceof RpcError ? err : new RpcError(JsonRpcErrorCode.InternalError, undefined, (err as Error)?.message ?? String(err));
      this.#sendError(id, rpcError);
    }
  }

  #sendError(id: JsonRpcId, error: RpcError): void {
    this.#write({ jsonrpc: '2.0', id, error: error.toJSON() }).catch(() => {
      // The connection is going away; its close handler reports that.
    });
  }

  #protocolError(error: Error, text?: string): void {
    try {
      this.#options.onProtocolError?.(error, text);
    } catch {
      // a reporting hook must not break the read loop
    }
  }

  #onClose(error?: Error): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#closedError = error;
    const reason = error ? `connection closed: ${error.message}` : 'connection closed';
    for (const key of [...this.#pending.keys()]) {
      const pending = this.#settle(key);
      pending?.reject(new PeerError('PEER_CLOSED', `${pending.method} failed: ${reason}`, { cause: error }));
    }
    this.#resolveClosed(error);
  }
}

/** Turns a wire error object into an RpcError, keeping code, message and data. */
export function errorFromWire(error: ErrorObject): RpcError {
  return new RpcError(error.code, error.message, error.data);
}
