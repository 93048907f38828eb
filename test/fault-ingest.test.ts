import { HubClient } from '@imsg-hub/hub-client';
import type { HubMessage } from '@imsg-hub/hub-protocol';
import type { InjectSpec } from '@imsg-hub/sim';
import { startTcpProxy, tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROUNDS = 100;
const PER_ROUND = 100; // 45 DMs to each of alice and bob, 10 into their shared group

// Issue 3, "Done when" 2: while ≥ 10,000 rows are injected, kill -9 the agents, their imsg children
// and the hub (each at least twice, at random moments) and cut the WebSocket; afterwards the client's
// stream has 0 lost and 0 duplicated rows, and the shared group's messages appear once, listing both.
describe('fault test: nothing lost, nothing doubled', () => {
  it('survives kill -9 of agents, imsg children and the hub, and cut links, during 10,000 rows', async () => {
    await using tmp = tempDir('fault-');
    let hubPort = 0;
    await using proxy = await startTcpProxy(() => hubPort);
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: ['alice@example.com'], via: 'local' },
        { name: 'bob', handles: ['bob@example.com'], via: 'local' },
      ],
      agentHubUrl: () => `ws://127.0.0.1:${proxy.port}/`,
      agentConfig: {
        hub: { reconnect: { initial_ms: 100, max_ms: 1000 } },
        restart_backoff: { initial_ms: 100, max_ms: 1000 },
        watchdog: { probe_interval_ms: 2000, stall_ms: 4000, probe_timeout_ms: 3000 },
      },
      hubConfig: { ping_interval_ms: 1000 },
    });
    hubPort = fleet.hub.port;

    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
    const seen: HubMessage[] = [];
    await client.watch({ since: 0 }, (m) => seen.push(m));

    const members = ['alice@example.com', 'bob@example.com', '+14155550999'];
    const group = fleet.world.inject({ from: '+14155550999', text: 'group start', group: { name: 'Shared', members } });
    const expected = new Set<string>([group.guid]);
    const sharedGuids = new Set<string>([group.guid]);

    // Chaos at random moments across the injection window.
    const windowMs = ROUNDS * 60;
    const events: { at: number; what: string }[] = [];
    for (const what of [
      'kill-agent-alice',
      'kill-agent-alice',
      'kill-agent-bob',
      'kill-agent-bob',
      'kill-imsg-alice',
      'kill-imsg-bob',
      'kill-imsg-alice',
      'kill-imsg-bob',
      'kill-hub',
      'kill-hub',
      'cut',
      'cut',
    ]) {
      events.push({ at: Math.floor(Math.random() * windowMs * 0.9), what });
    }
    events.sort((a, b) => a.at - b.at);
    const log: string[] = [];
    const chaos = (async () => {
      const t0 = Date.now();
      for (const e of events) {
        await sleep(Math.max(0, e.at - (Date.now() - t0)));
        const [verb, target, name] = e.what.split('-');
        if (verb === 'cut') log.push(`cut ${proxy.cut()} links`);
        else if (target === 'hub') {
          await fleet.hub.kill('SIGKILL');
          await sleep(150 + Math.random() * 300);
          await fleet.hub.start();
          log.push('hub restarted');
        } else if (target === 'agent') {
          const agent = fleet.agents.get(name!)!;
          await agent.kill('SIGKILL');
          await sleep(100 + Math.random() * 300);
          agent.start();
          log.push(`agent ${name} restarted`);
        } else if (target === 'imsg') {
          const kids = fleet.agents.get(name!)!.children();
          for (const pid of kids) process.kill(pid, 'SIGKILL');
          log.push(`imsg of ${name}: killed ${kids.length}`);
        }
      }
    })();

    for (let round = 0; round < ROUNDS; round++) {
      const specs: InjectSpec[] = [];
      for (let i = 0; i < PER_ROUND; i++) {
        const n = round * PER_ROUND + i;
        if (i < 45) specs.push({ account: 'alice', from: `+1415555${String(1000 + (n % 50))}`, text: `a${n}` });
        else if (i < 90) specs.push({ account: 'bob', from: `bob-friend${n % 7}@example.org`, text: `b${n}` });
        else specs.push({ from: '+14155550999', text: `g${n}`, group: { guid: group.chatGuid, members } });
      }
      for (const r of fleet.world.injectMany(specs)) {
        expected.add(r.guid);
        if (r.rows.length > 1) sharedGuids.add(r.guid);
      }
      await sleep(40);
    }
    await chaos;
    expect(expected.size).toBeGreaterThanOrEqual(ROUNDS * PER_ROUND);

    await waitFor(() => new Set(seen.map((m) => m.guid)).size >= expected.size, 90_000).catch(() => {
      const got = new Set(seen.map((m) => m.guid));
      const missing = [...expected].filter((g) => !got.has(g));
      throw new Error(
        `got ${got.size}/${expected.size}, missing e.g. ${missing.slice(0, 3).join(',')}; chaos: ${log.join('; ')}\nhub: ${fleet.hub.stderr.slice(-3000)}\n` +
          [...fleet.agents.values()].map((a) => a.stderr.slice(-3000)).join('\n'),
      );
    });
    await sleep(500);

    const ids = seen.map((m) => m.id);
    const guids = seen.map((m) => m.guid);
    expect(new Set(ids).size, 'no hub id delivered twice').toBe(ids.length);
    expect(new Set(guids).size, 'no message delivered twice').toBe(guids.length);
    expect(
      guids.filter((g) => !expected.has(g)),
      'nothing unexpected',
    ).toEqual([]);
    expect(seen.length, '0 lost, 0 duplicated').toBe(expected.size);
    const shared = seen.filter((m) => sharedGuids.has(m.guid));
    expect(shared.length).toBe(sharedGuids.size);
    for (const m of shared) expect([...m.accounts].sort()).toEqual(['alice', 'bob']);
    // Every stored copy, per account, also exactly once (the per-account view).
    for (const account of ['alice', 'bob']) {
      const dbRows = fleet.world.account(account).maxRowId();
      const { accounts } = await client.call('accounts.list', {});
      expect(accounts.find((a) => a.name === account)!.cursor.hwm).toBe(dbRows);
    }
    expect(log.filter((l) => l === 'hub restarted')).toHaveLength(2);
  }, 180_000);
});
