import { AgentHelloParamsSchema, ClientHelloParamsSchema, HelloRoleSchema, HubError, PROTOCOL_VERSION } from '@imsg-hub/hub-protocol';
import { describeZod, Peer, WebSocketTransport, type WebSocketLike } from '@imsg-hub/jsonrpc';
import type { TokenRecord } from '@imsg-hub/store';
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import { verifyToken } from './token-auth.js';
import type { HubContext } from './hub-context.js';
import { AgentSession } from './agent-session.js';
import { ClientSession } from './client-session.js';

/** A session after hello: answers the role's methods. */
export interface Session {
  handle(method: string, params: unknown): Promise<unknown> | unknown;
  closed(): void;
}

const HELLO_TIMEOUT_MS = 10_000;

/**
 * One WebSocket connection: nothing but `hello` (and `ping`) until the token checks out, then the
 * agent or client session answers. Protocol errors are answered on this connection only.
 */
export class Connection {
  readonly id = nanoid(10);
  readonly peer: Peer;
  readonly #ctx: HubContext;
  readonly #socket: WebSocketLike & { bufferedAmount?: number };
  readonly #log: Logger;
  #session: Session | undefined;
  /** A hello is being answered (token lookup is async): a second one is refused. */
  #helloing = false;
  #helloTimer: NodeJS.Timeout | undefined;
  /** Token the connection said hello with (checked again for revocation while it lives). */
  tokenId: string | undefined;

  constructor(socket: WebSocketLike & { bufferedAmount?: number }, ctx: HubContext, remote: string) {
    this.#socket = socket;
    this.#ctx = ctx;
    this.#log = ctx.log.child({ connId: this.id, remote });
    this.peer = new Peer(new WebSocketTransport(socket), {
      answerInvalid: true,
      defaultTimeoutMs: 30_000,
      onRequest: (method, params) => this.#onRequest(method, params),
      onNotification: (method, params) => void this.#onNotification(method, params),
      onProtocolError: (err) => this.#log.warn({ err: err.message }, 'bad frame from peer'),
    });
    this.#helloTimer = setTimeout(() => {
      this.#log.warn('no hello within 10 s; closing');
      void this.peer.close();
    }, HELLO_TIMEOUT_MS);
    this.#helloTimer.unref();
    void this.peer.closed.then((err) => {
      clearTimeout(this.#helloTimer);
      this.#log.info({ err: err?.message }, 'connection closed');
      this.#session?.closed();
    });
  }

  get bufferedBytes(): number {
    return this.#socket.bufferedAmount ?? 0;
  }

  async #onRequest(method: string, params: unknown): Promise<unknown> {
    if (method === 'ping') return { ts: Date.now() };
    if (method === 'hello') return this.#hello(params);
    if (!this.#session) {
      setImmediate(() => void this.peer.close());
      throw new HubError('HELLO_REQUIRED', `call hello first (got ${method}); the connection will close`);
    }
    return this.#session.handle(method, params);
  }

  async #onNotification(method: string, params: unknown): Promise<void> {
    if (!this.#session) return;
    try {
      await this.#session.handle(method, params);
    } catch (err) {
      this.#log.warn({ method, err: (err as Error).message }, 'notification refused');
    }
  }

  async #hello(params: unknown): Promise<unknown> {
    if (this.#session || this.#helloing) throw new HubError('INVALID_PARAMS', 'hello was already called on this connection');
    this.#helloing = true;
    try {
      return await this.#answerHello(params);
    } finally {
      this.#helloing = false;
    }
  }

  async #answerHello(params: unknown): Promise<unknown> {
    const role = HelloRoleSchema.safeParse(params);
    if (!role.success) throw new HubError('INVALID_PARAMS', 'hello needs role "agent" or "client"');
    const parsed = (role.data.role === 'agent' ? AgentHelloParamsSchema : ClientHelloParamsSchema).safeParse(params);
    if (!parsed.success) throw new HubError('INVALID_PARAMS', `invalid hello: ${describeZod(parsed.error)}`);
    const hello = parsed.data;
    if (hello.protocol !== PROTOCOL_VERSION) {
      this.#closeSoon();
      throw new HubError('PROTOCOL_VERSION', `protocol ${hello.protocol} is not supported; this hub speaks ${PROTOCOL_VERSION}. Upgrade the older side.`, {
        supported: [PROTOCOL_VERSION],
      });
    }
    let token: TokenRecord;
    try {
      token = await verifyToken(this.#ctx.store, hello.token);
    } catch (err) {
      this.#log.warn({ role: hello.role }, 'hello refused: bad token');
      this.#closeSoon();
      throw err;
    }
    if (token.role !== hello.role) {
      this.#closeSoon();
      throw new HubError('WRONG_ROLE', `token ${token.id} is a ${token.role} token; it cannot connect as ${hello.role}`);
    }
    clearTimeout(this.#helloTimer);
    this.tokenId = token.id;
    if (hello.role === 'agent') {
      const session = new AgentSession(this, this.#ctx, token, this.#log);
      const result = await session.start(hello); // throws TOKEN_SCOPE before anything is stored
      this.#session = session;
      return result;
    }
    const session = new ClientSession(this, this.#ctx, token, this.#log);
    this.#session = session;
    return session.start(hello);
  }

  /** Ends a connection whose token was revoked after its hello. */
  revoke(): void {
    this.#log.warn({ tokenId: this.tokenId }, 'token revoked: closing connection');
    void this.peer.close();
  }

  #closeSoon(): void {
    setTimeout(() => void this.peer.close(), 50).unref();
  }
}
