import type { Store } from '@imsg-hub/store';
import type { Logger } from 'pino';
import type { AgentRegistry } from './agent-registry.js';
import type { Outbox, OutboxOptions } from './outbox.js';

const FINAL = new Set(['sent', 'failed', 'expired']);
const RETRY_MS = 1000;

/**
 * Several hubs on one store (PostgreSQL): the hub that holds an account's agent link claims the
 * account in the store and only then dispatches its sends, so no two hubs ever dispatch for one
 * account. Sends other hubs queue reach the claiming hub through the store's outbox notices, and
 * their outcomes reach the hub whose caller waits. Not used on a single-hub store (SQLite).
 */
export class AccountClaims {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #held = new Set<string>();
  /** Accounts whose agent is linked here: we claim them, retrying while another hub still holds one. */
  readonly #wanted = new Set<string>();
  readonly #retries = new Map<string, NodeJS.Timeout>();
  readonly #stops: (() => void)[] = [];
  #outbox: Outbox | undefined;
  #closed = false;

  /** Undefined when the store serves one hub only. */
  static for(store: Store, registry: AgentRegistry, log: Logger): AccountClaims | undefined {
    return store.holdAccount ? new AccountClaims(store, registry, log) : undefined;
  }

  private constructor(store: Store, registry: AgentRegistry, log: Logger) {
    this.#store = store;
    this.#log = log.child({ component: 'account-claims' });
    registry.onChange((account, link) => (link ? this.#want(account) : this.#unwant(account)));
    const stopLost = store.onHoldsLost?.(() => {
      this.#log.warn({ accounts: [...this.#held] }, 'lost account claims (database connection dropped); claiming again');
      this.#held.clear();
      for (const account of this.#wanted) this.#retry(account);
    });
    if (stopLost) this.#stops.push(stopLost);
    const stopOutbox = store.onOutbox?.(({ account, key, state }) => {
      if (FINAL.has(state)) this.#outbox?.wake(key);
      else if (state === 'queued' && this.#held.has(account)) this.#outbox?.poke(account);
    });
    if (stopOutbox) this.#stops.push(stopOutbox);
  }

  /** What the outbox asks before dispatching and before expiring. */
  get outboxOptions(): Pick<OutboxOptions, 'mayDispatch' | 'onlineElsewhere'> {
    return {
      mayDispatch: (account) => this.#held.has(account),
      onlineElsewhere: async (account) => (await this.#store.accountHeld?.(account)) === true,
    };
  }

  attach(outbox: Outbox): void {
    this.#outbox = outbox;
  }

  close(): void {
    this.#closed = true;
    for (const stop of this.#stops) stop();
    for (const t of this.#retries.values()) clearTimeout(t);
  }

  #want(account: string): void {
    this.#wanted.add(account);
    if (this.#held.has(account)) {
      this.#outbox?.poke(account);
      return;
    }
    void this.#claim(account);
  }

  async #claim(account: string): Promise<void> {
    if (this.#closed || !this.#wanted.has(account) || this.#held.has(account)) return;
    try {
      if (!(await this.#store.holdAccount!(account))) {
        this.#retry(account); // another hub still holds it (its link has not dropped yet)
        return;
      }
    } catch (err) {
      this.#log.error({ account, err: (err as Error).message }, 'cannot claim the account in the store; trying again');
      this.#retry(account);
      return;
    }
    if (!this.#wanted.has(account)) {
      await this.#store.releaseAccount?.(account).catch(() => undefined);
      return;
    }
    this.#held.add(account);
    this.#outbox?.poke(account);
  }

  #retry(account: string): void {
    if (this.#closed || this.#retries.has(account)) return;
    const timer = setTimeout(() => {
      this.#retries.delete(account);
      void this.#claim(account);
    }, RETRY_MS);
    timer.unref();
    this.#retries.set(account, timer);
  }

  #unwant(account: string): void {
    this.#wanted.delete(account);
    if (this.#held.delete(account)) void this.#store.releaseAccount?.(account).catch(() => undefined);
  }
}
