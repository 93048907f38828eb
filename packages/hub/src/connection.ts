import type { Socket } from 'node:net';
import { AgentHelloParamsSchema, ClientHelloParamsSchema, HelloRoleSchema, HubError, PROTOCOL_VERSION } from '@imsg-hub/hub-protocol';
import { describeZod, type JsonLimitError, Peer, WebSocketTransport, type WebSocketLike } from '@imsg-hub/jsonrpc';
import type { TokenRecord } from '@imsg-hub/store';
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import { verifyToken } from './token-auth.js';
import type { HubContext } from './hub-context.js';
import { AgentSession } from './agent-session.js';
import { ClientSession } from './client-session.js';
import type { ConnectionGate } from './connection-gate.js';
import { LogLimiter } from './log-limiter.js';

/** A session after hello: answers the role's methods. */
export interface Session {
  handle(method: string, params: unknown): Promise<unknown> | unknown;
  closed(): void;
}

/** Shared by every connection of one server: caps and rate-limited logging. */
export interface ConnectionOptions {
  gate?: ConnectionGate;
  logs?: LogLimiter;
  /** The TCP socket under the WebSocket: what it reads before hello counts against `limits.pre_hello_bytes`. */
  rawSocket?: Socket;
}

/** Close code for a connection refused by policy (bad frame or refused hello before a session). */
const POLICY_CLOSE = 1008;
const TOO_BIG_CLOSE = 1009;

/**
 * One WebSocket connection: nothing but `hello` (and `ping`) until the token checks out, then the
 * agent or client session answers. Before hello, the first bad frame, refused hello or byte past the
 * small pre-hello budget ends the connection; after it, bad frames are answered on this connection.
 * Lines a stranger can cause go through the shared LogLimiter.
 */
export class Connection {
  readonly id = nanoid(10);
  readonly peer: Peer;
  readonly #ctx: HubContext;
  readonly #transport: WebSocketTransport;
  readonly #log: Logger;
  readonly #logs: LogLimiter;
  readonly #gate: ConnectionGate | undefined;
  #session: Session | undefined;
  #helloTimer: NodeJS.Timeout | undefined;
  #condemned = false;
  /** A hello is being answered (token lookup is async): a second one is refused. */
  #helloing = false;
  #releaseToken: (() => void) | undefined;
  #stopPreHelloCount: (() => void) | undefined;
  /** Token the connection said hello with (checked again for revocation while it lives). */
  tokenId: string | undefined;

  constructor(socket: WebSocketLike, ctx: HubContext, remote: string, options: ConnectionOptions = {}) {
    this.#ctx = ctx;
    this.#log = ctx.log.child({ connId: this.id, remote });
    const ownLogs = options.logs ? undefined : new LogLimiter(ctx.log);
    this.#logs = options.logs ?? ownLogs!;
    this.#gate = options.gate;
    const limits = ctx.config.limits;
    this.#transport = new WebSocketTransport(socket, {
      highWaterBytes: limits.output_high_water_bytes,
      maxBufferedBytes: limits.output_max_bytes,
      stallMs: limits.output_stall_ms,
      onSlowConsumer: ({ reason, bufferedBytes }) =>
        this.#logs.warn(
          'slow-consumer',
          this.#log,
          { reason, buffered: bufferedBytes, tokenId: this.tokenId },
          'closing a connection that does not read its output',
        ),
    });
    this.peer = new Peer(this.#transport, {
      answerInvalid: true,
      defaultTimeoutMs: 30_000,
      bounds: { maxDepth: limits.max_json_depth, maxBytes: ctx.config.max_frame_bytes },
      maxConcurrent: limits.max_inflight_requests,
      maxMessagesPerTurn: limits.max_frames_per_turn,
      limitError: (err) => limitError(err),
      onRequest: (method, params) => this.#onRequest(method, params),
      onNotification: (method, params) => this.#onNotification(method, params),
      onProtocolError: (err) => this.#onBadFrame(err),
    });
    this.#helloTimer = setTimeout(() => {
      this.#logs.warn('hello-timeout', this.#log, { ms: limits.hello_timeout_ms }, 'no hello in time; closing');
      this.#condemn(POLICY_CLOSE, `no hello within ${limits.hello_timeout_ms} ms`, 0);
    }, limits.hello_timeout_ms);
    this.#helloTimer.unref();
    if (options.rawSocket) this.#countPreHello(options.rawSocket, limits.pre_hello_bytes);
    void this.peer.closed.then((err) => {
      clearTimeout(this.#helloTimer);
      this.#stopPreHelloCount?.();
      this.#releaseToken?.();
      if (this.#session) this.#log.info({ err: err?.message }, 'connection closed');
      else this.#logs.info('closed-before-hello', this.#log, { err: err?.message }, 'connection closed before hello');
      this.#session?.closed();
      ownLogs?.close();
    });
  }

  get bufferedBytes(): number {
    return this.#transport.bufferedBytes;
  }

  async #onRequest(method: string, params: unknown): Promise<unknown> {
    if (method === 'ping') return { ts: Date.now() };
    if (method === 'hello') return this.#hello(params);
    if (!this.#session) {
      this.#logs.warn('call-before-hello', this.#log, { method: method.slice(0, 64) }, 'call before hello; closing');
      this.#condemn(POLICY_CLOSE, 'call before hello');
      throw new HubError('HELLO_REQUIRED', `call hello first (got ${method.slice(0, 64)}); the connection will close`);
    }
    return this.#session.handle(method, params);
  }

  async #onNotification(method: string, params: unknown): Promise<void> {
    if (!this.#session) {
      this.#logs.warn('call-before-hello', this.#log, { method: method.slice(0, 64) }, 'notification before hello; closing');
      this.#condemn(POLICY_CLOSE, 'notification before hello');
      return;
    }
    try {
      await this.#session.handle(method, params);
    } catch (err) {
      this.#logs.warn('notification-refused', this.#log, { method: method.slice(0, 64), err: (err as Error).message }, 'notification refused');
    }
  }

  #onBadFrame(err: Error): void {
    if (this.#session) {
      this.#logs.warn('bad-frame', this.#log, { err: err.message.slice(0, 200) }, 'bad frame from peer');
      return;
    }
    this.#logs.warn('bad-frame-before-hello', this.#log, { err: err.message.slice(0, 200) }, 'bad frame before hello; closing');
    this.#condemn(POLICY_CLOSE, 'bad frame before hello');
  }

  async #hello(params: unknown): Promise<unknown> {
    if (this.#session || this.#helloing) throw new HubError('INVALID_PARAMS', 'hello was already called on this connection');
    this.#helloing = true;
    try {
      return await this.#startSession(params);
    } catch (err) {
      // Any refused hello ends the connection: it must not stay open answering pings.
      this.#logs.warn('hello-refused', this.#log, { code: HubError.from(err)?.hubCode ?? 'INTERNAL' }, 'hello refused; closing');
      this.#condemn(POLICY_CLOSE, 'hello refused');
      throw err;
    } finally {
      this.#helloing = false;
    }
  }

  async #startSession(params: unknown): Promise<unknown> {
    const role = HelloRoleSchema.safeParse(params);
    if (!role.success) throw new HubError('INVALID_PARAMS', 'hello needs role "agent" or "client"');
    const parsed = (role.data.role === 'agent' ? AgentHelloParamsSchema : ClientHelloParamsSchema).safeParse(params);
    if (!parsed.success) throw new HubError('INVALID_PARAMS', `invalid hello: ${describeZod(parsed.error)}`);
    const hello = parsed.data;
    if (hello.protocol !== PROTOCOL_VERSION) {
      throw new HubError('PROTOCOL_VERSION', `protocol ${hello.protocol} is not supported; this hub speaks ${PROTOCOL_VERSION}. Upgrade the older side.`, {
        supported: [PROTOCOL_VERSION],
      });
    }
    const token: TokenRecord = await verifyToken(this.#ctx.store, hello.token);
    if (token.role !== hello.role) {
      throw new HubError('WRONG_ROLE', `token ${token.id} is a ${token.role} token; it cannot connect as ${hello.role}`);
    }
    const release = this.#gate?.claimToken(token.id);
    try {
      let result: unknown;
      if (hello.role === 'agent') {
        const session = new AgentSession(this, this.#ctx, token, this.#log);
        result = await session.start(hello); // throws TOKEN_SCOPE before anything is stored
        this.#session = session;
      } else {
        const session = new ClientSession(this, this.#ctx, token, this.#log);
        this.#session = session;
        result = await session.start(hello);
      }
      // The connection may have closed while the session started: then nothing else releases it.
      if (this.peer.isClosed) release?.();
      else this.#releaseToken = release;
      this.tokenId = token.id;
      clearTimeout(this.#helloTimer);
      this.#stopPreHelloCount?.();
      return result;
    } catch (err) {
      release?.();
      throw err;
    }
  }

  /** Ends a connection whose token was revoked after its hello. */
  revoke(): void {
    this.#log.warn({ tokenId: this.tokenId }, 'token revoked: closing connection');
    void this.peer.close();
  }

  /** Counts what the TCP socket reads until hello succeeds; past the budget the connection closes. */
  #countPreHello(raw: Socket, budget: number): void {
    const start = raw.bytesRead;
    const onData = () => {
      if (raw.bytesRead - start <= budget) return;
      this.#stopPreHelloCount?.();
      this.#logs.warn('pre-hello-bytes', this.#log, { budget }, 'too many bytes before hello; closing');
      this.#condemn(TOO_BIG_CLOSE, `over ${budget} bytes before hello`, 0);
    };
    raw.on('data', onData);
    this.#stopPreHelloCount = () => raw.off('data', onData);
  }

  /**
   * Stops reading and handling this connection's frames now, and closes it once the answer under
   * way (if any) is written.
   */
  #condemn(code: number, reason: string, delayMs = 10): void {
    if (this.#condemned) return;
    this.#condemned = true;
    this.peer.discardInput();
    // The close frame goes out at once; a peer that does not answer it is cut after a moment.
    const close = () => this.#transport.abort(code, reason, 250);
    if (delayMs === 0) close();
    else setTimeout(close, delayMs).unref();
  }
}

/** The answer to a message over a bound: FRAME_TOO_DEEP / FRAME_TOO_LARGE naming the setting. */
function limitError(err: JsonLimitError): HubError {
  if (err.limit === 'depth') {
    return new HubError(
      'FRAME_TOO_DEEP',
      `this message nests more than ${err.max} levels of objects and arrays; the hub accepts at most ${err.max} (limits.max_json_depth). Nothing of it was stored: flatten or drop the nested field.`,
      { limit: err.max },
    );
  }
  return new HubError('FRAME_TOO_LARGE', `this message is over ${err.max} bytes (max_frame_bytes); send less per frame`, { limit: err.max });
}
