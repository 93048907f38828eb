import { HubClient } from '@imsg-hub/hub-client';
import { HubError, type SendOutcome } from '@imsg-hub/hub-protocol';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SENDS = 1000;

// Issue 4 "Done when" 2: with 1,000 sends in flight, kill -9 the agents and the hub at random
// moments; clients retry with the same keys until they get a result; every key produces exactly
// one outgoing row in the simulated chat.dbs.
describe('crash test: exactly one physical send per key', () => {
  it('1,000 sends through kill -9 of agents and hub: every key exactly one outgoing row', async () => {
    await using tmp = tempDir('fault-send-');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: ['alice@example.com'], via: 'local' },
        { name: 'bob', handles: ['bob@example.com'], via: 'local' },
      ],
      hubConfig: { send: { rate_per_minute: 1_000_000, burst: 100_000, queue_ttl_s: 3600 }, ping_interval_ms: 1000 },
      agentConfig: { hub: { reconnect: { initial_ms: 100, max_ms: 800 } }, restart_backoff: { initial_ms: 100, max_ms: 800 }, send: { echo_wait_ms: 3000 } },
    });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });

    const keys = Array.from({ length: SENDS }, (_, i) => ({
      key: `crash-${i}`,
      account: i % 2 === 0 ? 'alice' : 'bob',
      target: `${i % 2 === 0 ? 'alice' : 'bob'}/+1415555${String(2000 + (i % 37)).padStart(4, '0')}`,
      text: `crash message ${i}`,
    }));
    // Each target has written to the account before, so its chat exists and every send can be
    // tracked (imsg 0.15's send.tracked needs an existing chat; a first contact goes untracked).
    for (const k of keys.slice(0, 74)) fleet.world.inject({ account: k.account, from: k.target.split('/')[1]!, text: `hello ${k.account}` });
    const results = new Map<string, SendOutcome>();
    let retries = 0;

    const log: string[] = [];
    let chaosDone = false;
    const chaos = (async () => {
      const plan = ['agent-alice', 'hub', 'agent-bob', 'agent-alice', 'hub', 'agent-bob'];
      for (const what of plan) {
        await sleep(300 + Math.random() * 900);
        if (what === 'hub') {
          await fleet.hub.kill('SIGKILL');
          await sleep(100 + Math.random() * 300);
          await fleet.hub.start();
        } else {
          const agent = fleet.agents.get(what.split('-')[1]!)!;
          await agent.kill('SIGKILL');
          await sleep(100 + Math.random() * 300);
          agent.start();
        }
        log.push(`${what} killed after ${results.size} results`);
      }
      chaosDone = true;
    })();

    // 50 client workers, each retrying its keys with the same idempotency key until a final state.
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const k = keys[next++]!;
        for (;;) {
          try {
            const o = await client.call('send', { target: k.target, text: k.text, idempotency_key: k.key, wait_ms: 3000 }, 10_000);
            if (o.state === 'sent' || o.state === 'failed' || o.state === 'expired') {
              results.set(k.key, o);
              break;
            }
          } catch (err) {
            const hub = HubError.from(err);
            if (hub && hub.hubCode !== 'AGENT_OFFLINE') throw err; // a real refusal is a test failure
          }
          retries++;
          await sleep(100);
        }
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    await chaos;
    expect(chaosDone).toBe(true);

    expect(results.size).toBe(SENDS);
    const failed = [...results.values()].filter((o) => o.state !== 'sent');
    expect(failed, JSON.stringify(failed.slice(0, 3))).toEqual([]);

    // Count physical sends: exactly one outgoing row per key, in the right account's chat.db.
    await waitFor(() => fleet.world.account('alice').outgoingRows().length + fleet.world.account('bob').outgoingRows().length >= SENDS, 10_000);
    const counts = new Map<string, number>();
    for (const account of ['alice', 'bob']) {
      for (const row of fleet.world.account(account).outgoingRows()) {
        counts.set(`${account}:${row.text}`, (counts.get(`${account}:${row.text}`) ?? 0) + 1);
      }
    }
    const wrong = keys.filter((k) => counts.get(`${k.account}:${k.text}`) !== 1);
    expect(
      wrong.map((k) => `${k.key}=${counts.get(`${k.account}:${k.text}`) ?? 0}`),
      log.join('; '),
    ).toEqual([]);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(SENDS);
    // The result carries imsg's guid for each: the row that went out.
    for (const k of keys.slice(0, 50)) {
      const row = fleet.world
        .account(k.account)
        .outgoingRows()
        .find((r) => r.text === k.text)!;
      expect(results.get(k.key)!.result?.guid).toBe(row.guid);
    }
    expect(retries).toBeGreaterThan(0);
  }, 240_000);
});
