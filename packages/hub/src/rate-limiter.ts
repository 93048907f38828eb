import type { SendLimiter } from './store-rate-limiter.js';

/**
 * Per-account token bucket in memory: `burst` sends at once, refilled at `perMinute`. One process
 * only; the hub takes from the store's bucket (StoreRateLimiter), which holds across hubs.
 */
export class RateLimiter implements SendLimiter {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(perMinute: number, burst: number) {
    this.#perMs = perMinute / 60_000;
    this.#burst = burst;
  }

  /** Takes one token; when none is left, says how many seconds until one is. */
  take(account: string, now = Date.now()): { ok: true } | { ok: false; retryAfterS: number } {
    const b = this.#buckets.get(account) ?? { tokens: this.#burst, at: now };
    b.tokens = Math.min(this.#burst, b.tokens + (now - b.at) * this.#perMs);
    b.at = now;
    this.#buckets.set(account, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / this.#perMs / 1000)) };
  }
}
