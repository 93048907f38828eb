import type { Store } from '@imsg-hub/store';
import { expect, it } from 'vitest';

// What several hubs on one store share besides rows (issue 15): one send bucket per account and one
// delivering hub per webhook. Registered inside storeConformance's describe, on its fresh store.

export function sharedLimitsConformance(store: () => Store): void {
  it('shares send buckets: atomic takes per account, refilled with time up to the burst', async () => {
    const rate = { perMinute: 60, burst: 2 }; // one a second
    const t0 = 1_000_000;
    expect(await store().takeSendToken('alice', rate, t0)).toEqual({ ok: true });
    expect(await store().takeSendToken('alice', rate, t0)).toEqual({ ok: true });
    expect(await store().takeSendToken('alice', rate, t0)).toEqual({ ok: false, retryAfterS: 1 });
    expect(await store().takeSendToken('bob', rate, t0)).toEqual({ ok: true });
    expect(await store().takeSendToken('alice', rate, t0 - 5000)).toMatchObject({ ok: false }); // a clock behind adds nothing
    expect(await store().takeSendToken('alice', rate, t0 + 1000)).toEqual({ ok: true });
    expect(await store().takeSendToken('alice', rate, t0 + 1000)).toMatchObject({ ok: false });
    // A minute idle refills the burst (two), not sixty.
    const later = await Promise.all([1, 2, 3].map(() => store().takeSendToken('alice', rate, t0 + 61_000)));
    expect(later.map((r) => r.ok)).toEqual([true, true, false]);
    const racing = await Promise.all(Array.from({ length: 10 }, () => store().takeSendToken('carol', rate, t0)));
    expect(racing.filter((r) => r.ok)).toHaveLength(2);
    const slow = { perMinute: 6, burst: 1 };
    expect(await store().takeSendToken('dave', slow, t0)).toEqual({ ok: true });
    expect(await store().takeSendToken('dave', slow, t0 + 4000)).toEqual({ ok: false, retryAfterS: 6 });
  });

  it('leases a webhook to one holder at a time, until it lapses or is released', async () => {
    const t0 = 1_000_000;
    expect(await store().leaseWebhook('w', 'hub-a', 1000, t0)).toBe(true);
    expect(await store().leaseWebhook('w', 'hub-b', 1000, t0 + 500)).toBe(false);
    expect(await store().leaseWebhook('w', 'hub-a', 1000, t0 + 900)).toBe(true); // renewed until t0 + 1900
    expect(await store().leaseWebhook('w', 'hub-b', 1000, t0 + 1500)).toBe(false);
    expect(await store().leaseWebhook('x', 'hub-b', 1000, t0 + 1500)).toBe(true); // per webhook
    expect(await store().leaseWebhook('w', 'hub-b', 1000, t0 + 1900)).toBe(true); // lapsed: taken over
    expect(await store().leaseWebhook('w', 'hub-a', 1000, t0 + 2000)).toBe(false);
    await store().releaseWebhook('w', 'hub-a'); // not hub-a's: nothing changes
    expect(await store().leaseWebhook('w', 'hub-a', 1000, t0 + 2000)).toBe(false);
    await store().releaseWebhook('w', 'hub-b');
    expect(await store().leaseWebhook('w', 'hub-a', 1000, t0 + 2000)).toBe(true);
    const racing = await Promise.all(['h1', 'h2', 'h3'].map((h) => store().leaseWebhook('y', h, 1000, t0)));
    expect(racing.filter(Boolean)).toHaveLength(1);
  });
}
