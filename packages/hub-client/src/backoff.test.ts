import { describe, expect, it } from 'vitest';
import { Backoff, backoffSleep } from './backoff.js';

describe('Backoff', () => {
  it('doubles its bound up to max_ms, jitters below it, and starts over on reset', () => {
    const top = new Backoff({ initial_ms: 100, max_ms: 1000 }, () => 1);
    expect(Array.from({ length: 6 }, () => top.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    top.reset();
    expect(top.next()).toBe(100);
    const half = new Backoff({ initial_ms: 100, max_ms: 1000 }, () => 0.5);
    expect([half.next(), half.next()]).toEqual([50, 100]);
  });

  it('refuses bounds that make no schedule', () => {
    expect(() => new Backoff({ initial_ms: 10, max_ms: 5 })).toThrow(RangeError);
  });

  it('sleeps until aborted', async () => {
    const abort = new AbortController();
    const slept = backoffSleep(60_000, abort.signal);
    abort.abort();
    await expect(slept).resolves.toBeUndefined();
  });
});
