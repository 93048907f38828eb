// Issue 4 figures: sends/s through hub → agent → imsg-sim, and send latency p50/p99
// (client call → imsg's answer back at the client), with real processes on loopback.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HubClient } from '@imsg-hub/hub-client';
import { SimWorld } from '@imsg-hub/sim';
import { AgentProcess, HubProcess, simSource } from '@imsg-hub/testkit';
import { percentile } from './hub-helpers.mjs';

const SENDS = 400;

export async function run(report) {
  const dir = mkdtempSync(join(tmpdir(), 'imsg-send-bench-'));
  const world = SimWorld.create({ version: 1, accounts: [{ name: 'alice', db: 'alice/chat.db', handles: ['alice@example.com'] }] }, join(dir, 'world.json'));
  const hub = new HubProcess({ dir: join(dir, 'hub'), config: { send: { rate_per_minute: 1e9, burst: 1e9 } }, env: { ...process.env, LOG_LEVEL: 'error' } });
  await hub.start();
  const agent = new AgentProcess({
    dir: join(dir, 'agent'),
    hubUrl: hub.url,
    token: await hub.token('agent', ['alice']),
    accounts: [{ name: 'alice', source: simSource(world.info('alice').dbPath) }],
    env: { ...process.env, LOG_LEVEL: 'error' },
  });
  agent.start();
  const client = await HubClient.connect({ url: hub.url, token: await hub.token('client', '*') });
  try {
    for (let i = 0; i < 100; i++) {
      const s = await client.call('accounts.list', {});
      if (s.accounts[0]?.agent.connected) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Warm-up (first send creates the agent's ledger entries, JITs the path), then one at a time.
    await client.call('send', { target: 'alice/+14155550999', text: 'warm-up' });
    const lat = [];
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      const o = await client.call('send', { target: `alice/+1415555${String(1000 + (i % 50))}`, text: `latency ${i}` });
      if (o.state !== 'sent') throw new Error(`send ${i} ended ${o.state}`);
      lat.push(performance.now() - t0);
    }
    if (process.env.BENCH_DEBUG) console.log(lat.map((x) => x.toFixed(0)).join(' '));
    lat.sort((a, b) => a - b);
    // Throughput: many in flight (the hub dispatches an account's sends in order, one at a time).
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: SENDS }, (_, i) =>
        client.call('send', { target: `alice/+1415555${String(2000 + (i % 50))}`, text: `throughput ${i}`, wait_ms: 60_000 }, 90_000),
      ),
    );
    const secs = (performance.now() - t0) / 1000;
    const rows = world.account('alice').outgoingRows().length;
    report('send hub→agent→imsg-sim', {
      sends: SENDS,
      sends_per_s: SENDS / secs,
      p50_ms: percentile(lat, 50),
      p99_ms: percentile(lat, 99),
      rows_written: rows,
    });
  } finally {
    await client.close();
    await agent.stop();
    await hub.stop();
    world.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
