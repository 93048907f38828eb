import { HubClient } from '@imsg-hub/hub-client';
import { HubError } from '@imsg-hub/hub-protocol';
import type { FacadeLog } from './facade-log.js';
import { FacadeError } from './facade-errors.js';
import type { Deadline } from './request-clock.js';

export interface HubLinkOptions {
  /** The hub, or several hubs of one fleet (first first; the next after a failed dial or a loss). */
  url: string | readonly string[];
  token: string;
  /** Per-account mode: the account must be one the token sees. */
  account?: string | undefined;
  ca?: string | undefined;
  version: string;
  log: FacadeLog;
}

type Waiter = (error?: Error) => void;

/** A link silent for two of these is dropped and reconnected (a half-open TCP connection never errors). */
const KEEPALIVE_MS = 15_000;

/** Waits between dials: short, because a request is waiting within its budget. */
const BACKOFF = { initial_ms: 50, max_ms: 2000 };

/**
 * The facade's one connection to the hub: a HubClient that starts dialing at startup (while stdin
 * is already being read) and retries until the hub is there, reconnecting after every loss and
 * resuming every watch after its last message. This class adds the facade's deadlines: each
 * request waits for the link within its budget (`client`); the subscriptions hear when the link
 * drops (`onDown`) and wait for its return (`waitUp`).
 */
export class HubLink {
  readonly #o: HubLinkOptions;
  #client: HubClient | undefined;
  #maxFileBytes: number | undefined;
  #everUp = false;
  #up = false;
  #fatal: Error | undefined;
  #lastFailure = 'not connected yet';
  #closed = false;
  readonly #waiters = new Set<Waiter>();
  readonly #downListeners = new Set<(reason: string) => void>();

  constructor(options: HubLinkOptions) {
    this.#o = options;
  }

  /** The hub the link is on (or is dialing next). */
  get url(): string {
    return this.#client?.url ?? this.#urls[0]!;
  }

  get #urls(): readonly string[] {
    return typeof this.#o.url === 'string' ? [this.#o.url] : this.#o.url;
  }

  /** "the hub at ws://…", or "the hubs at ws://a/, ws://b/" for a fleet. */
  get #where(): string {
    const urls = this.#urls;
    return urls.length === 1 ? `the hub at ${urls[0]}` : `the hubs at ${urls.join(', ')}`;
  }

  /** The hub's `max_file_bytes` once connected. */
  get maxFileBytes(): number | undefined {
    return this.#maxFileBytes;
  }

  /** Calls `listener` each time the link drops; returns what stops it. */
  onDown(listener: (reason: string) => void): () => void {
    this.#downListeners.add(listener);
    return () => this.#downListeners.delete(listener);
  }

  /** Starts connecting in the background. */
  start(): void {
    if (this.#client || this.#closed) return;
    const client = HubClient.start({
      url: this.#o.url,
      token: this.#o.token,
      name: 'imsg-hub rpc',
      version: this.#o.version,
      reconnect: true,
      keepaliveMs: KEEPALIVE_MS,
      backoff: BACKOFF,
      // Before the first link, any refusal by the hub is final: retrying the same token will not
      // help. After it, only a refused token is (HubClient's rule).
      isFatal: (err, phase) => (phase === 'first' ? HubError.from(err) !== undefined : HubError.from(err)?.hubCode === 'UNAUTHORIZED'),
      ...(this.#o.ca ? { ca: this.#o.ca } : {}),
    });
    this.#client = client;
    client.on('retry', (err: Error) => {
      this.#lastFailure = err.message;
      this.#o.log.debug({ error: this.#lastFailure }, 'hub not reachable yet');
    });
    client.on('connect', () => this.#attach(client));
    client.on('disconnect', (err?: Error) => {
      if (this.#closed || this.#fatal) return;
      this.#up = false;
      this.#lastFailure = err?.message ?? 'link closed';
      this.#o.log.warn({ url: client.url, error: this.#lastFailure }, 'hub link dropped; reconnecting');
      for (const l of this.#downListeners) l(this.#lastFailure);
    });
    client.on('reconnect', () => {
      if (this.#closed || this.#fatal) return;
      this.#maxFileBytes = client.hello.max_file_bytes;
      this.#o.log.warn({ url: client.url }, 'hub link restored');
      this.#setUp();
    });
    client.on('error', (err: Error) => {
      const hub = HubError.from(err);
      this.#setFatal(
        this.#everUp
          ? new FacadeError('HUB_REFUSED', `the hub at ${client.url} refused this token on reconnect: ${hub?.message ?? err.message}`)
          : new FacadeError('HUB_REFUSED', `the hub at ${client.url} refused this token: ${hub?.message ?? err.message}${hub ? ` (${hub.hubCode})` : ''}`),
      );
    });
  }

  /** The connected client, waiting for the link within `deadline`; rejects with what is wrong. */
  async client(deadline: Deadline): Promise<HubClient> {
    if (this.#fatal) throw this.#fatal;
    if (this.#up && this.#client) return this.#client;
    await deadline.race(this.#waitUp(), 'waiting for the hub').catch((err: unknown) => {
      if (this.#fatal) throw this.#fatal;
      if (err instanceof FacadeError && err.code === 'DEADLINE') {
        // The dial error may already say "cannot reach the hub at <url>: …"; keep only its cause.
        const cause = this.#lastFailure.replace(/^cannot reach the hub at \S+: /, '');
        const what = this.#urls.length === 1 ? this.#where : `any of ${this.#where} (last: ${this.url})`;
        throw new FacadeError('HUB_UNREACHABLE', `cannot reach ${what} (${cause}); is \`imsg-hub serve\` running? Still retrying`);
      }
      throw err;
    });
    return this.#client!;
  }

  /** Resolves once the link is up (no deadline): for watches that must not skip anything. */
  waitUp(): Promise<void> {
    if (this.#fatal) return Promise.reject(this.#fatal);
    return this.#up ? Promise.resolve() : this.#waitUp();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#up = false;
    for (const wake of this.#waiters) wake(new FacadeError('LINK_LOST', 'the facade is shutting down'));
    this.#waiters.clear();
    await this.#client?.close().catch(() => undefined);
  }

  #waitUp(): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = (error) => {
        this.#waiters.delete(waiter);
        if (error) reject(error);
        else resolve();
      };
      this.#waiters.add(waiter);
    });
  }

  #setUp(): void {
    this.#up = true;
    for (const wake of [...this.#waiters]) wake();
  }

  #setFatal(error: Error): void {
    this.#fatal = error;
    this.#up = false;
    this.#o.log.error({ error: error.message }, 'hub link gave up');
    for (const wake of [...this.#waiters]) wake(error);
  }

  /** The first link is up: check the account, then let requests through. */
  #attach(client: HubClient): void {
    if (this.#closed) return;
    this.#everUp = true;
    this.#maxFileBytes = client.hello.max_file_bytes;
    const account = this.#o.account;
    if (account && !client.hello.accounts.includes(account)) {
      this.#setFatal(
        new FacadeError(
          'ACCOUNT_UNKNOWN',
          `account "${account}" is not one this token sees (it sees: ${client.hello.accounts.join(', ') || 'none'}); fix --account or IMSG_HUB_ACCOUNT`,
        ),
      );
      return;
    }
    this.#o.log.info({ url: client.url, accounts: client.hello.accounts }, 'hub link up');
    this.#setUp();
  }
}
