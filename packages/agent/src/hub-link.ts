import { JsonRpcErrorCode, Peer, PeerError, RpcError, WebSocketTransport, describeZod } from '@imsg-hub/jsonrpc';
import { AgentHelloResultSchema, DEFAULT_MAX_FRAME_BYTES, HubError, PROTOCOL_VERSION, type AgentHelloResult } from '@imsg-hub/hub-protocol';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { AgentError } from './errors.js';
import { retryForever, type BackoffSettings } from './retry.js';

/** One live, greeted connection to the hub. */
export interface HubSession {
  readonly peer: Peer;
  readonly hello: AgentHelloResult;
}

export interface HubLinkOptions {
  url: string;
  token: string;
  agent: { id: string; version: string; host?: string };
  accounts: readonly string[];
  reconnect: BackoffSettings;
  /** Extra trust (PEM) for a hub with a self-signed certificate. */
  ca?: Buffer;
  /** Used until the hub's hello says otherwise. */
  pingIntervalMs?: number;
  connectTimeoutMs?: number;
  log: Logger;
  /** Answers hub → agent requests (`send.dispatch`, `imsg.call`); `ping` is answered here. */
  onRequest: (method: string, params: unknown) => Promise<unknown>;
  onUp: (session: HubSession) => void;
  onDown: (error: Error | undefined) => void;
}

/**
 * The agent's link to the hub (docs/hub-protocol.md): dial, `hello`, app-level pings (two missed
 * answers = dead link), and redial forever with backoff and jitter after every loss.
 */
export class HubLink {
  readonly #options: HubLinkOptions;
  readonly #log: Logger;
  #session: HubSession | undefined;
  #socket: WebSocket | undefined;
  #closed = false;
  #loop: Promise<void> | undefined;

  constructor(options: HubLinkOptions) {
    this.#options = options;
    this.#log = options.log;
  }

  get session(): HubSession | undefined {
    return this.#session;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const session = this.#session;
    this.#session = undefined;
    await session?.peer.close();
    this.#socket?.terminate();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #run(): Promise<void> {
    let attempts = 0;
    while (!this.#closed) {
      let session: HubSession;
      try {
        session = await retryForever(() => this.#connect(), this.#options.reconnect, {
          delayFirst: attempts > 0,
          stopped: () => this.#closed,
          onFailure: (err, n) => this.#log.warn({ err: describe(err), attempt: n, url: this.#options.url }, 'hub connect failed; retrying'),
        });
      } catch {
        return; // stopped
      }
      attempts++;
      if (this.#closed) {
        await session.peer.close();
        return;
      }
      this.#session = session;
      this.#log.info({ session: session.hello.session, hub: session.hello.hub_version }, 'hub link up');
      this.#options.onUp(session);
      const stopPings = this.#startPings(session);
      const error = await session.peer.closed;
      stopPings();
      if (this.#session === session) this.#session = undefined;
      this.#log.warn({ err: error?.message }, 'hub link down');
      this.#options.onDown(error);
    }
  }

  async #connect(): Promise<HubSession> {
    const socket = new WebSocket(this.#options.url, {
      maxPayload: DEFAULT_MAX_FRAME_BYTES * 2,
      handshakeTimeout: this.#options.connectTimeoutMs ?? 10_000,
      perMessageDeflate: false,
      ...(this.#options.ca ? { ca: this.#options.ca } : {}),
    });
    this.#socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', (err) => reject(err));
      socket.once('close', (code) => reject(new AgentError('LINK_DOWN', `hub closed the connection (${code}) before it opened`)));
    });
    const peer = new Peer(new WebSocketTransport(socket), {
      defaultTimeoutMs: 30_000,
      onRequest: (method, params) => this.#answer(method, params),
      onProtocolError: (err) => this.#log.warn({ err: err.message }, 'hub sent something unreadable'),
    });
    try {
      const raw = await peer.request(
        'hello',
        { protocol: PROTOCOL_VERSION, role: 'agent', token: this.#options.token, agent: this.#options.agent, accounts: [...this.#options.accounts] },
        { timeoutMs: 15_000 },
      );
      const parsed = AgentHelloResultSchema.safeParse(raw);
      if (!parsed.success) throw new AgentError('HUB_PROTOCOL', `hub hello answer is not protocol ${PROTOCOL_VERSION}: ${describeZod(parsed.error)}`);
      if (parsed.data.protocol !== PROTOCOL_VERSION) {
        throw new AgentError('HUB_PROTOCOL', `hub speaks protocol ${parsed.data.protocol}, this agent ${PROTOCOL_VERSION}: upgrade the older side`);
      }
      return { peer, hello: parsed.data };
    } catch (err) {
      socket.terminate();
      await peer.close();
      throw helloError(err);
    }
  }

  async #answer(method: string, params: unknown): Promise<unknown> {
    if (method === 'ping') {
      const ts = (params as { ts?: unknown } | undefined)?.ts;
      return { ts: typeof ts === 'number' ? ts : Date.now() };
    }
    if (this.#closed) throw new HubError('AGENT_OFFLINE', 'the agent is shutting down');
    return this.#options.onRequest(method, params);
  }

  #startPings(session: HubSession): () => void {
    const interval = session.hello.ping_interval_ms > 0 ? session.hello.ping_interval_ms : (this.#options.pingIntervalMs ?? 15_000);
    let missed = 0;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      session.peer
        .request('ping', { ts: Date.now() }, { timeoutMs: interval })
        .then(() => {
          missed = 0;
        })
        .catch((err: unknown) => {
          if (!(err instanceof PeerError) || err.failure !== 'RPC_TIMEOUT') return;
          missed++;
          if (missed >= 2) {
            this.#log.warn({ missed }, 'hub stopped answering pings; dropping the link');
            this.#socket?.terminate();
            void session.peer.close();
          }
        })
        .finally(() => {
          busy = false;
        });
    }, interval);
    timer.unref();
    return () => clearInterval(timer);
  }
}

function helloError(err: unknown): Error {
  const hub = HubError.from(err);
  if (!hub) return err instanceof Error ? err : new Error(String(err));
  const next: Partial<Record<string, string>> = {
    UNAUTHORIZED: 'create an agent token on the hub (imsg-hub token create --role agent --accounts ...) and put it in hub.token_file',
    TOKEN_SCOPE: "the token does not name every configured account: create a token listing all of this agent's accounts",
    WRONG_ROLE: 'this token is a client token: the agent needs one created with --role agent',
    PROTOCOL_VERSION: 'the hub and this agent speak different protocol versions: upgrade the older side',
  };
  const advice = next[hub.hubCode];
  return new AgentError(
    'HUB_REJECTED',
    `hub refused hello: ${hub.hubCode}: ${hub.message}${advice ? ` — ${advice}` : ''}`,
    { hubCode: hub.hubCode },
    { cause: err },
  );
}

function describe(err: unknown): string {
  if (err instanceof RpcError && err.code === JsonRpcErrorCode.MethodNotFound) return `hub does not know hello: ${err.describe()}`;
  return err instanceof Error ? err.message : String(err);
}
