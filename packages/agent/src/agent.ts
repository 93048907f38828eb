import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { JsonRpcErrorCode, RpcError } from '@imsg-hub/jsonrpc';
import { HubError, parseParams } from '@imsg-hub/hub-protocol';
import pino, { type Logger } from 'pino';
import { AccountRunner } from './account-runner.js';
import type { AccountConfig, AgentConfig, SourceConfigBase } from './config.js';
import { CursorStore } from './cursor-store.js';
import { namedLocalPaths } from './local-path-params.js';
import { HubLink } from './hub-link.js';
import type { ImsgSource } from './imsg-source.js';
import { SendLedger } from './send-ledger.js';
import { StateDb } from './state-db.js';

export interface AgentOptions<S extends SourceConfigBase = SourceConfigBase> {
  config: AgentConfig<S>;
  /** Builds the source of one account (the app wires `@imsg-hub/imsg-source` in here). */
  sourceFor: (account: AccountConfig<S>) => ImsgSource;
  version: string;
  log?: Logger;
}

/**
 * The agent core: one hub link, one runner per account, one state file. No process-level concerns
 * (signals, exit codes, log destinations) — the app owns those.
 */
export class Agent<S extends SourceConfigBase = SourceConfigBase> {
  readonly #config: AgentConfig<S>;
  readonly #log: Logger;
  readonly #state: StateDb;
  readonly #runners = new Map<string, AccountRunner>();
  readonly #link: HubLink;
  #started = false;
  #closing: Promise<void> | undefined;

  constructor(options: AgentOptions<S>) {
    const { config } = options;
    this.#config = config;
    this.#log = (options.log ?? pino({ level: 'silent' })).child({ agentId: config.agent_id });
    this.#state = new StateDb(config.state_dir);
    const cursor = new CursorStore(this.#state.db);
    const ledger = new SendLedger(this.#state.db);
    try {
      for (const account of config.accounts) {
        const log = this.#log.child({ account: account.name });
        this.#runners.set(
          account.name,
          new AccountRunner({
            name: account.name,
            source: options.sourceFor(account),
            cursor,
            ledger,
            settings: config,
            attachmentsRoot: account.attachments_root,
            log,
          }),
        );
      }
    } catch (err) {
      this.#state.close();
      throw err;
    }
    this.#link = new HubLink({
      url: config.hub.urls,
      token: config.hub.token,
      agent: { id: config.agent_id, version: options.version, host: hostname() },
      accounts: config.accounts.map((a) => a.name),
      reconnect: config.hub.reconnect,
      ...(config.hub.ca_file ? { ca: readFileSync(config.hub.ca_file) } : {}),
      ...(config.hub.ping_interval_ms ? { pingIntervalMs: config.hub.ping_interval_ms } : {}),
      log: this.#log,
      onRequest: (method, params) => this.#onHubRequest(method, params),
      onUp: (session) => {
        for (const r of this.#runners.values()) r.linkUp(session);
      },
      onDown: () => {
        for (const r of this.#runners.values()) r.linkDown();
      },
    });
  }

  /** The runner of one account (tests and status). */
  runner(name: string): AccountRunner | undefined {
    return this.#runners.get(name);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#log.info({ accounts: [...this.#runners.keys()], hub: this.#config.hub.urls, state: this.#state.path }, 'agent starting');
    for (const r of this.#runners.values()) r.start();
    this.#link.start();
  }

  /**
   * Stops accepting sends, lets sends in progress finish, unsubscribes, ends each imsg's stdin
   * (kills it after a grace period), then closes the hub link and the state file.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#log.info('agent shutting down');
      await Promise.all([...this.#runners.values()].map((r) => r.close()));
      await this.#link.close();
      this.#state.close();
      this.#log.info('agent stopped');
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #onHubRequest(method: string, params: unknown): Promise<unknown> {
    if (this.#closing) throw new HubError('AGENT_OFFLINE', 'the agent is shutting down; retry later');
    switch (method) {
      case 'send.dispatch': {
        const p = parseParams('send.dispatch', params);
        return this.#runnerFor(p.account).dispatchSend(p);
      }
      case 'imsg.call': {
        const p = parseParams('imsg.call', params);
        // typing, read and handles.check take no files: a param naming one is never passed on.
        const named = namedLocalPaths(p.params)[0];
        if (named)
          throw new HubError('LOCAL_PATH_REFUSED', `imsg.call ${p.method} refused: its params name a local path (${named.key}); these methods take no files`);
        return this.#runnerFor(p.account).imsgCall(p.method, p.params);
      }
      default:
        throw new RpcError(JsonRpcErrorCode.MethodNotFound, 'Method not found', method);
    }
  }

  #runnerFor(account: string): AccountRunner {
    const runner = this.#runners.get(account);
    if (!runner) throw new HubError('NOT_FOUND', `this agent does not serve account ${account}`, { account });
    return runner;
  }
}
