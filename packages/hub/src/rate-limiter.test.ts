import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst, then says when to retry, then refills', () => {
    const r = new RateLimiter(6, 2); // one token every 10 s
    expect(r.take('a', 0).ok).toBe(true);
    expect(r.take('a', 0).ok).toBe(true);
    expect(r.take('a', 0)).toEqual({ ok: false, retryAfterS: 10 });
    expect(r.take('b', 0).ok).toBe(true); // accounts are independent
    expect(r.take('a', 4000)).toEqual({ ok: false, retryAfterS: 6 });
    expect(r.take('a', 10_000).ok).toBe(true);
  });
});
