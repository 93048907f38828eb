import { JsonLimitError, parseJsonBounded, type JsonBounds } from './bounded-json.js';
import { classify, type ErrorObject, type Incoming, type JsonRpcId } from './envelope.js';
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
/** May return a promise: with `maxConcurrent`, the work counts until it settles. */
export type NotificationHandler = (method: string, params: unknown) => unknown;

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
  /** Bounds on every incoming message, checked before it is parsed (default: depth 64, any size). */
  bounds?: JsonBounds;
  /**
   * The error a request over a bound is answered with (default -32600 naming the limit). A message
   * over a bound is never handed to `onRequest`/`onNotification`.
   */
  limitError?: (error: JsonLimitError) => RpcError;
  /**
   * Most incoming requests and notifications handled at once. Past it, reading from the transport
   * is held (`holdReading`) and frames already read wait in order; so do they while the transport
   * reports output pressure. Answers to our own requests are never held. Default: no limit.
   */
  maxConcurrent?: number;
  /**
   * Most incoming messages handled in one event-loop turn; the rest wait for the next turn, with
   * reading held. Keeps one busy peer from starving others sharing the process. Default: no limit.
   */
  maxMessagesPerTurn?: number;
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
  /** Incoming requests/notifications whose handler has not settled. */
  #active = 0;
  /** Calls read while `#active` was at `maxConcurrent`, in arrival order. */
  readonly #waiting: Extract<Incoming, { kind: 'request' | 'notification' }>[] = [];
  #discardInput = false;
  /** Messages read beyond `maxMessagesPerTurn` in this turn, in arrival order. */
  readonly #backlog: string[] = [];
  #turnCount = 0;
  #turnTimer: NodeJS.Immediate | undefined;
  /** The transport's output is backed up: with `maxConcurrent`, no new call starts until it drains. */
  #outputHigh = false;
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
      outputPressure: (high) => {
        this.#outputHigh = high;
        if (!high && this.#options.maxConcurrent !== undefined) this.#next(this.#options.maxConcurrent);
      },
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Incoming calls being handled plus those waiting for a slot. */
  get activeCount(): number {
    return this.#active + this.#waiting.length;
  }

  /**
   * Ignores every further incoming message (a connection being closed for misbehaving must not make
   * the hub do more work or write more logs). Answers already under way are still written.
   */
  discardInput(): void {
    this.#discardInput = true;
    this.#waiting.length = 0;
    this.#backlog.length = 0;
    this.#transport.holdReading?.('discard');
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

  /**
   * With `maxMessagesPerTurn`, at most that many messages are handled per event-loop turn; the rest
   * wait (reading held) for the next turn, so one peer pouring in frames cannot hold the loop.
   */
  #onText(text: string): void {
    if (this.#discardInput) return;
    const max = this.#options.maxMessagesPerTurn;
    if (max !== undefined) {
      if (this.#backlog.length > 0 || this.#turnCount >= max) {
        if (this.#backlog.length === 0) this.#transport.holdReading?.('turn');
        this.#backlog.push(text);
        this.#nextTurn(max);
        return;
      }
      this.#turnCount++;
      this.#nextTurn(max);
    }
    this.#handleText(text);
  }

  #nextTurn(max: number): void {
    if (this.#turnTimer) return;
    this.#turnTimer = setImmediate(() => {
      this.#turnTimer = undefined;
      this.#turnCount = 0;
      while (this.#backlog.length > 0 && this.#turnCount < max && !this.#discardInput) {
        this.#turnCount++;
        this.#handleText(this.#backlog.shift()!);
      }
      // Another turn drains the rest, or resets the count for what arrives next.
      if (this.#turnCount > 0) this.#nextTurn(max);
      if (this.#backlog.length === 0) this.#transport.releaseReading?.('turn');
    });
  }

  #handleText(text: string): void {
    if (this.#discardInput) return;
    let value: unknown;
    try {
      value = withoutStacks(() => parseJsonBounded(text, this.#options.bounds));
    } catch (err) {
      if (err instanceof JsonLimitError) {
        this.#onLimit(err);
        return;
      }
      this.#protocolError(() => new PeerError('PROTOCOL_ERROR', `unparseable message: ${(err as Error).message}`), text);
      if (this.#options.answerInvalid) {
        this.#sendError(null, { code: JsonRpcErrorCode.ParseError, message: 'Parse error', data: (err as Error).message });
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
      case 'request':
        this.#admit(msg);
        return;
      case 'invalid':
        this.#protocolError(() => new PeerError('PROTOCOL_ERROR', `invalid JSON-RPC message: ${msg.reason}`), text);
        if (this.#options.answerInvalid) {
          this.#sendError(msg.id, { code: JsonRpcErrorCode.InvalidRequest, message: 'Invalid Request', data: msg.reason });
        }
    }
  }

  /** A message over a bound: a call is answered (it has an id), an answer fails its request. */
  #onLimit(error: JsonLimitError): void {
    this.#protocolError(error);
    if (error.id !== null && !error.isCall) {
      this.#onResponse(error.id)?.reject(error);
      return;
    }
    if (error.id !== null || this.#options.answerInvalid) {
      const limitError = this.#options.limitError;
      const answer = (limitError && withoutStacks(() => limitError(error)).toJSON()) || {
        code: JsonRpcErrorCode.InvalidRequest,
        message: 'Invalid Request',
        data: error.message,
      };
      this.#sendError(error.id, answer);
    }
  }

  #admit(msg: Extract<Incoming, { kind: 'request' | 'notification' }>): void {
    const max = this.#options.maxConcurrent;
    if (max === undefined) {
      void this.#run(msg);
      return;
    }
    if (this.#active >= max || this.#waiting.length > 0 || this.#outputHigh) {
      this.#waiting.push(msg);
      return;
    }
    void this.#run(msg);
  }

  async #run(msg: Extract<Incoming, { kind: 'request' | 'notification' }>): Promise<void> {
    const max = this.#options.maxConcurrent;
    this.#active++;
    if (max !== undefined && this.#active >= max) this.#transport.holdReading?.('busy');
    try {
      if (msg.kind === 'request') {
        await this.#answer(msg.id, msg.method, msg.params);
      } else {
        try {
          await this.#options.onNotification?.(msg.method, msg.params);
        } catch (err) {
          this.#protocolError(err as Error);
        }
      }
    } finally {
      this.#active--;
      if (max !== undefined) this.#next(max);
    }
  }

  #next(max: number): void {
    while (this.#active < max && this.#waiting.length > 0 && !this.#discardInput && !this.#outputHigh) void this.#run(this.#waiting.shift()!);
    if (this.#active < max && this.#waiting.length === 0) this.#transport.releaseReading?.('busy');
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
      this.#sendError(id, rpcError.toJSON());
    }
  }

  /** Writes an error answer (a plain object: answering garbage must not cost an Error and its stack). */
  #sendError(id: JsonRpcId, error: { code: number; message: string; data?: unknown }): void {
    this.#write({ jsonrpc: '2.0', id, error }).catch(() => {
      // The connection is going away; its close handler reports that.
    });
  }

  /** Reports trouble to `onProtocolError`; a function argument is only called (built) when there is one. */
  #protocolError(error: Error | (() => Error), text?: string): void {
    const report = this.#options.onProtocolError;
    if (!report) return;
    try {
      report(typeof error === 'function' ? withoutStacks(error) : error, text);
    } catch {
      // a reporting hook must not break the read loop
    }
  }

  #onClose(error?: Error): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#waiting.length = 0;
    this.#backlog.length = 0;
    if (this.#turnTimer) clearImmediate(this.#turnTimer);
    this.#turnTimer = undefined;
    this.#closedError = error;
    const reason = error ? `connection closed: ${error.message}` : 'connection closed';
    for (const key of [...this.#pending.keys()]) {
      const pending = this.#settle(key);
      pending?.reject(new PeerError('PEER_CLOSED', `${pending.method} failed: ${reason}`, { cause: error }));
    }
    this.#resolveClosed(error);
  }
}

/**
 * Runs `make` with stack capture off: errors about a peer's input (thousands of them, when a peer
 * sends garbage) say what was wrong with the input, and a stack of our parser adds only cost.
 */
function withoutStacks<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Turns a wire error object into an RpcError, keeping code, message and data. */
export function errorFromWire(error: ErrorObject): RpcError {
  return new RpcError(error.code, error.message, error.data);
}
