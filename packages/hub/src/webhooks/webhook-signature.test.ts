import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from './webhook-signature.js';

describe('webhook signatures', () => {
  const secret = 'a-long-enough-secret';
  const body = '{"events":[]}';
  it('verifies what it signed, and refuses a tampered body, another secret or an old timestamp', () => {
    const ts = 1_800_000_000;
    const signature = signWebhook(secret, ts, body);
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    const headers = { signature, timestamp: String(ts) };
    expect(verifyWebhook(secret, headers, body, { now: ts + 10 })).toEqual({ ok: true });
    expect(verifyWebhook(secret, headers, body + ' ', { now: ts })).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(verifyWebhook('another-secret-here', headers, body, { now: ts })).toMatchObject({ ok: false });
    expect(verifyWebhook(secret, headers, body, { now: ts + 301 })).toEqual({ ok: false, reason: 'timestamp outside tolerance' });
    expect(verifyWebhook(secret, { signature: undefined, timestamp: String(ts) }, body)).toMatchObject({ ok: false });
  });
});
