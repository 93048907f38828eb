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
    { defaultTtlS: 3600, defaultWaitMs: 0, retry: { baseMs: 10, maxMs: 40, maxAttempts: 4 } },
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

  it('keeps a send in doubt dispatched and retrying until the agent resolves it', async () => {
    const link = agent((_p, n) => {
      if (n < 3) throw new RpcError(-32603, 'Internal error', { code: 'SEND_IN_DOUBT', retryable: true });
      return { status: 'sent', result: { ok: true, guid: 'G' } };
    });
    registry.claim(['alice'], link);
    await outbox.send({ target: '+14155550100', text: 'hi', idempotency_key: 'k2' }, client);
    await waitFor(async () => (await outbox.status('k2', client)).state === 'sent', 5000);
    // The agent sees the key scoped to the client's token (`c`): one tenant's key never meets another's.
    expect(link.calls.map((c) => c.key)).toEqual(['c:k2', 'c:k2', 'c:k2']);
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
