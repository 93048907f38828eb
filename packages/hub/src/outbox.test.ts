import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SendDispatchParams } from '@imsg-hub/hub-protocol';
import { RpcError } from '@imsg-hub/jsonrpc';
import type { TokenRecord } from '@imsg-hub/store';
import { SqliteStore } from '@imsg-hub/store/open';
import { waitFor } from '@imsg-hub/testkit';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentRegistry, type AgentLink } from './agent-registry.js';
import { BlobStore } from './blob-store.js';
import { MessageModel } from './model/message-model.js';
import { Outbox } from './outbox.js';
import { RateLimiter } from './rate-limiter.js';
import { Router } from './router.js';

// The outbox against an in-process stand-in for the agent link (a unit test of this module; the
// real agent is exercised in test/send-e2e.test.ts and test/fault-send.test.ts).
let dir: string;
let store: SqliteStore;
let registry: AgentRegistry;
let outbox: Outbox;
const client: TokenRecord = { id: 'c', secretHash: Buffer.alloc(32), role: 'client', accounts: '*', label: undefined, createdAt: '', revokedAt: undefined };

function agent(answer: (p: SendDispatchParams, n: number) => unknown): AgentLink & { calls: SendDispatchParams[] } {
  const calls: SendDispatchParams[] = [];
  return {
    agentId: 'fake',
    connectedAt: '',
    calls,
    release: () => undefined,
    request: async (_method, params) => {
      calls.push(params as SendDispatchParams);
      return answer(params as SendDispatchParams, calls.length);
    },
  };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-'));
  store = new SqliteStore(join(dir, 'hub.db'));
  const model = await MessageModel.load(store);
  await model.ensureAccount('alice');
  registry = new AgentRegistry();
  outbox = new Outbox(
    {
      store,
      registry,
      router: new Router(model, [], 'alice'),
      blobs: new BlobStore(dir, 1024),
      limiter: new RateLimiter(6000, 1000),
      log: pino({ level: 'silent' }),
    },
    { defaultTtlS: 3600, defaultWaitMs: 0, retry: { baseMs: 10, maxMs: 40, maxAttempts: 4 }, doubtCheckMs: 50 },
  );
});
afterEach(async () => {
  outbox.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Outbox', () => {
  it('retries a send the agent could not start with backoff, then fails it after the attempt limit', async () => {
    const link = agent(() => {
      throw new RpcError(-32603, 'Internal error', { code: 'SEND_NOT_STARTED', retryable: true });
    });
    registry.claim(['alice'], link);
    const first = await outbox.send({ target: '+14155550100', text: 'hi', idempotency_key: 'k1' }, client);
    expect(['queued', 'dispatched']).toContain(first.state);
    const done = await waitFor(async () => {
      const s = await outbox.status('k1', client);
      return s.state === 'failed' && s;
    }, 5000);
    expect(link.calls).toHaveLength(4);
    expect(done.error).toMatchObject({ data: { code: 'SEND_FAILED', last: { code: 'SEND_NOT_STARTED' } } });
    expect(done.error?.message).toMatch(/send failed after 4 attempts/);
  });

  it('records a send in doubt without holding its chat, and settles it when the agent can look it up', async () => {
    const inDoubt = () => new RpcError(-32019, 'send may or may not have happened', { code: 'SEND_IN_DOUBT', retryable: true });
    let lookups = 0;
    const link = agent((p) => {
      if (p.resolve === 'check') return ++lookups < 2 ? Promise.reject(inDoubt()) : { status: 'sent', result: { ok: true, guid: 'G' } };
      if (p.key === 'c:k2') throw inDoubt();
      return { status: 'sent', result: { ok: true, guid: 'G2' } };
    });
    registry.claim(['alice'], link);
    const first = await outbox.send({ target: '+14155550100', text: 'hi', idempotency_key: 'k2', wait_ms: 2000 }, client);
    expect(first.state).toBe('in_doubt');
    expect(first.error).toMatchObject({ code: -32019, data: { code: 'SEND_IN_DOUBT' } });
    // The chat's next send is not held behind it.
    expect((await outbox.send({ target: '+14155550100', text: 'next', idempotency_key: 'k3', wait_ms: 2000 }, client)).state).toBe('sent');
    // The agent is asked again (never to send), every doubtCheckMs, until it knows: the first check stays in doubt, the next finds it.
    await waitFor(async () => (await outbox.status('k2', client)).state === 'sent', 5000);
    const calls = link.calls.filter((c) => c.key === 'c:k2');
    // The agent sees the key scoped to the client's token (`c`): one tenant's key never meets another's.
    expect(calls.map((c) => c.resolve ?? 'send')).toEqual(['send', 'check', 'check']);
    expect((await outbox.status('k2', client)).error).toBeUndefined();
  });

  it("resolves a send in doubt by the operator's word: sent is recorded, resend goes out once more", async () => {
    const link = agent((p) => {
      if (p.resolve === undefined && p.key === 'c:k4' && link.calls.length === 1) {
        throw new RpcError(-32019, 'in doubt', { code: 'SEND_IN_DOUBT', retryable: true });
      }
      if (p.resolve === 'check') throw new RpcError(-32019, 'in doubt', { code: 'SEND_IN_DOUBT', retryable: true });
      return { status: 'sent', result: { ok: true, guid: `G-${p.resolve ?? 'send'}` } };
    });
    registry.claim(['alice'], link);
    expect((await outbox.send({ target: '+14155550100', text: 'a', idempotency_key: 'k4', wait_ms: 2000, queue_ttl_s: 60 }, client)).state).toBe('in_doubt');
    await expect(outbox.resolve('k5', 'sent', client)).rejects.toThrow(/no send with idempotency key k5/);
    const resent = await outbox.resolve('k4', 'resend', client, 2000);
    expect(resent).toMatchObject({ state: 'sent', result: { guid: 'G-resend' } });
    const resend = link.calls.find((c) => c.resolve === 'resend')!;
    expect(resend.not_after).toBeUndefined(); // the operator asked now: the first wait's deadline is over
    await expect(outbox.resolve('k4', 'sent', client)).rejects.toThrow(/is sent, not in doubt/);

    link.calls.length = 0;
    expect((await outbox.send({ target: '+14155550101', text: 'b', idempotency_key: 'k6', wait_ms: 2000 }, client)).state).toBe('sent');
    const k7 = agent(() => {
      throw new RpcError(-32019, 'in doubt', { code: 'SEND_IN_DOUBT', retryable: true });
    });
    registry.claim(['alice'], k7);
    expect((await outbox.send({ target: '+14155550102', text: 'c', idempotency_key: 'k7', wait_ms: 2000 }, client)).state).toBe('in_doubt');
    const sent = await outbox.resolve('k7', 'sent', client);
    expect(sent).toMatchObject({ state: 'sent', result: { resolved_by: 'operator' } });
    expect(sent.error).toBeUndefined();
    await waitFor(() => k7.calls.some((c) => c.resolve === 'sent'), 2000); // the agent's ledger is told
  });

  it('passes the deadline to the agent and records its refusal as expired', async () => {
    const link = agent(() => ({ status: 'failed', error: { code: -32015, message: 'send expired', data: { code: 'SEND_EXPIRED' } } }));
    registry.claim(['alice'], link);
    const before = Date.now();
    await outbox.send({ target: '+14155550100', text: 'late', idempotency_key: 'k3', queue_ttl_s: 60 }, client);
    await waitFor(async () => (await outbox.status('k3', client)).state === 'expired', 5000);
    expect(link.calls[0]!.not_after).toBeGreaterThanOrEqual(before + 60_000);
  });

  it('does not expire a queued send while its agent is online (its TTL bounds waiting for an offline agent)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const link = agent(async () => {
      await gate;
      return { status: 'sent', result: { ok: true } };
    });
    registry.claim(['alice'], link);
    await outbox.send({ target: '+14155550100', text: 'one', idempotency_key: 'a', queue_ttl_s: 0 }, client);
    await outbox.send({ target: '+14155550100', text: 'two', idempotency_key: 'b', queue_ttl_s: 0 }, client); // waits behind 'a'
    await new Promise((r) => setTimeout(r, 1300)); // the expiry sweep runs every second
    expect((await outbox.status('b', client)).state).toBe('queued');
    release();
    await waitFor(async () => (await outbox.status('b', client)).state === 'sent', 5000);
  });
});
