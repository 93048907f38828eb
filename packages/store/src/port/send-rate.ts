/** A per-account send rate: `burst` sends at once, refilled at `perMinute` (a token bucket). */
export interface SendRate {
  perMinute: number;
  burst: number;
}

/** One send allowed, or how many whole seconds until the next one is. */
export type RateTake = { ok: true } | { ok: false; retryAfterS: number };

/** What a bucket left with `tokens` (below 1) says: whole seconds until one token is there, at least 1. */
export function retryAfterS(tokens: number, rate: SendRate): number {
  const perMs = rate.perMinute / 60_000;
  return Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
}
