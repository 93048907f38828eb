import type { RateTake, SendRate, Store } from '@imsg-hub/store';

/** Takes a send token for an account: RateLimiter (in memory) or StoreRateLimiter (shared). */
export interface SendLimiter {
  take(account: string): RateTake | Promise<RateTake>;
}

/**
 * The per-account send bucket kept in the store, so the limit holds for the fleet, not per hub:
 * several hubs on one PostgreSQL database take from one bucket (an atomic upsert), and on SQLite the
 * bucket survives a restart. `send.rate_per_minute` and `send.burst` must agree between hubs (the
 * taking hub's settings apply); hubs' clocks should agree to a second or so (NTP).
 */
export class StoreRateLimiter implements SendLimiter {
  readonly #store: Store;
  readonly #rate: SendRate;

  constructor(store: Store, perMinute: number, burst: number) {
    this.#store = store;
    this.#rate = { perMinute, burst };
  }

  take(account: string, now = Date.now()): Promise<RateTake> {
    return this.#store.takeSendToken(account, this.#rate, now);
  }
}
