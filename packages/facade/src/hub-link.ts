import { HubClient } from '@imsg-hub/hub-client';
import { HubError } from '@imsg-hub/hub-protocol';
import { FacadeError } from './facade-errors.js';
import type { FacadeLog } from './facade-log.js';
import type { Deadline } from './request-clock.js';

export interface HubLinkOptions {
  url: string;
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

/**
 * The facade's one connection to the hub. Connects at startup (while stdin is already being read),
 * retries until the hub is there, and lets each request wait for it within its deadline. After the
 * first hello the HubClient reconnects by itself and resumes every watch after its last message;
 * this class tells the subscriptions when the link drops (`onDown`); `waitUp` waits for its return.
 */
export class HubLink {
  readonly #o: HubLinkOptions;
  #client: HubClient | undefined;
  #up = false;
  #fatal: Error | undefined;
  #lastFailure = 'not connected yet';
  #closed = false;
  readonly #waiters = new Set<Waiter>();
  readonly #downListeners: ((reason: string) => void)[] = [];

  constructor(options: HubLinkOptions) {
    this.#o = options;
  }

  get url(): string {
    return this.#o.url;
  }

  /** The hub's `max_file_bytes` once connected. */
  get maxFileBytes(): number | undefined {
    return this.#client?.hello.max_file_bytes;
  }

  onDown(listener: (reason: string) => void): void {
    this.#downListeners.push(listener);
  }

  /** Starts connecting in the background. */
  start(): void {
    void this.#connectLoop();
  }

  /** The connected client, waiting for the link within `deadline`; rejects with what is wrong. */
  async client(deadline: Deadline): Promise<HubClient> {
    if (this.#fatal) throw this.#fatal;
    if (this.#up && this.#client) return this.#client;
    await deadline.race(this.#waitUp(), 'waiting for the hub').catch((err: unknown) => {
      if (this.#fatal) throw this.#fatal;
      if (err instanceof FacadeError && err.code === 'DEADLINE') {
        throw new FacadeError(
          'HUB_UNREACHABLE',
          `cannot reach the hub at ${this.#o.url} (${this.#lastFailure}); is \`imsg-hub serve\` running? Still retrying`,
        );
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
    this.#o.log.error('hub link gave up', { error: error.message });
    for (const wake of [...this.#waiters]) wake(error);
  }

  async #connectLoop(): Promise<void> {
    let delay = 50;
    while (!this.#closed) {
      try {
        const client = await HubClient.connect({
          url: this.#o.url,
          token: this.#o.token,
          name: 'imsg-hub rpc',
          version: this.#o.version,
          reconnect: true,
          keepaliveMs: KEEPALIVE_MS,
          ...(this.#o.ca ? { ca: this.#o.ca } : {}),
        });
        if (this.#closed) return void (await client.close());
        this.#attach(client);
        return;
      } catch (err) {
        const hub = HubError.from(err);
        if (hub) {
          // The hub answered and refused: retrying the same token will not help.
          this.#setFatal(new FacadeError('HUB_REFUSED', `the hub at ${this.#o.url} refused this token: ${hub.message} (${hub.hubCode})`));
          return;
        }
        this.#lastFailure = (err as Error).message;
        this.#o.log.debug('hub not reachable yet', { error: this.#lastFailure, retryMs: delay });
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2000);
      }
    }
  }

  #attach(client: HubClient): void {
    this.#client = client;
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
    client.on('disconnect', (err?: Error) => {
      if (this.#closed || this.#fatal) return;
      this.#up = false;
      this.#lastFailure = err?.message ?? 'link closed';
      this.#o.log.warn('hub link dropped; reconnecting', { url: this.#o.url, error: this.#lastFailure });
      for (const l of this.#downListeners) l(this.#lastFailure);
    });
    client.on('reconnect', () => {
      if (this.#closed || this.#fatal) return;
      this.#o.log.warn('hub link restored', { url: this.#o.url });
      this.#setUp();
    });
    client.on('error', (err: Error) => {
      const hub = HubError.from(err);
      this.#setFatal(new FacadeError('HUB_REFUSED', `the hub at ${this.#o.url} refused this token on reconnect: ${hub?.message ?? err.message}`));
    });
    this.#o.log.info('hub link up', { url: this.#o.url, accounts: client.hello.accounts });
    this.#setUp();
  }
}
