import { asAccount, DEFAULT_MAX_FRAME_BYTES, HubError } from '@imsg-hub/hub-protocol';
import { HubClientError, HubConnection, type BackoffSettings, type HubSession as HubLinkSession } from '@imsg-hub/hub-client';
import { JsonRpcErrorCode, RpcError } from '@imsg-hub/jsonrpc';
import type { Logger } from 'pino';
import { AgentError } from './errors.js';

/** One live, greeted connection to the hub. */
export type HubSession = HubLinkSession<'agent'>;

export interface HubLinkOptions {
  /** The hub, or several hubs of one fleet: a failed dial or a lost link moves on to the next. */
  url: string | readonly string[];
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
  /** Answers hub → agent requests (`send.dispatch`, `imsg.call`); `ping` is answered by the link. */
  onRequest: (method: string, params: unknown) => Promise<unknown>;
  onUp: (session: HubSession) => void;
  onDown: (error: Error | undefined) => void;
}

/**
 * The agent's link to the hub (docs/hub-protocol.md), on the shared HubConnection: dial, `hello`
 * as an agent, app-level pings at the hub's interval (two missed answers = dead link), and redial
 * forever with backoff after every failure and loss — a refused token included, saying what to do.
 * The hello answer carries the hub's high-water mark per account; `onUp` hands it to the runners,
 * which resume from it.
 */
export class HubLink {
  readonly #connection: HubConnection<'agent'>;
  #closed = false;

  constructor(options: HubLinkOptions) {
    const log = options.log;
    this.#connection = new HubConnection({
      url: options.url,
      role: 'agent',
      hello: { token: options.token, agent: options.agent, accounts: options.accounts.map(asAccount) },
      ca: options.ca,
      maxFrameBytes: DEFAULT_MAX_FRAME_BYTES * 2,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      helloTimeoutMs: 15_000,
      requestTimeoutMs: 30_000,
      perMessageDeflate: false,
      keepaliveMs: (hello) => (hello.ping_interval_ms > 0 ? hello.ping_interval_ms : (options.pingIntervalMs ?? 15_000)),
      backoff: options.reconnect,
      onRequest: (method, params) => {
        if (this.#closed) throw new HubError('AGENT_OFFLINE', 'the agent is shutting down');
        return options.onRequest(method, params);
      },
      onProtocolError: (err) => log.warn({ err: err.message }, 'hub sent something unreadable'),
      // The dial moved on to the next hub already: `url` of the failed one is in the error.
      onRetry: (err, attempt) => log.warn({ err: describe(agentLinkError(err)), attempt, next: this.#connection.url }, 'hub connect failed; retrying'),
      onUp: (session) => {
        log.info({ session: session.hello.session, hub: session.hello.hub_version, url: this.#connection.url }, 'hub link up');
        options.onUp(session);
      },
      onDown: (error) => {
        log.warn({ err: error?.message, url: this.#connection.url }, 'hub link down');
        options.onDown(error);
      },
      onSilent: (missed) => log.warn({ missed }, 'hub stopped answering pings; dropping the link'),
    });
  }

  get session(): HubSession | undefined {
    return this.#connection.session;
  }

  start(): void {
    this.#connection.start();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#connection.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** A failed dial as the agent reports it: a hub refusal with what to do about it, coded. */
function agentLinkError(err: Error): Error {
  if (err instanceof HubClientError) return new AgentError('HUB_PROTOCOL', err.message, {}, { cause: err });
  const hub = HubError.from(err);
  if (!hub) return err;
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
