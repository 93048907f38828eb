import { HubClient } from '@imsg-hub/hub-client';
import type { HubMessage } from '@imsg-hub/hub-protocol';
import {
  AgentProcess,
  exampleWorld,
  postgresAvailable,
  simAttachmentsRoot,
  simSource,
  startHubProcess,
  startPostgres,
  tempDir,
  waitFor,
} from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Issue 15, several hubs: two hub processes on one PostgreSQL database, each holding one account's
// agent. A client on either hub sees every account's rows once, in order, with shared group
// messages merged across hubs; the commit channel (LISTEN/NOTIFY) carries the other hub's commits.
describe.skipIf(!postgresAvailable() && !process.env['CI'])('two hubs on one PostgreSQL database', () => {
  it('fan out each other’s commits and sends: every row once, in order, merged; each send once, by the hub holding its agent', async () => {
    await using tmp = tempDir('two-hubs-');
    await using pg = await startPostgres();
    const url = await pg.createDatabase('fleet');
    const world = exampleWorld(tmp.join('world.json'), ['alice', 'bob']);
    try {
      const config = {
        accounts: { alice: { handles: ['alice@example.com'] }, bob: { handles: ['bob@example.com'] } },
        send: { rate_per_minute: 6000, burst: 100 },
      };
      await using hubA = await startHubProcess({ dir: tmp.join('hub-a'), config, store: { url } });
      await using hubB = await startHubProcess({ dir: tmp.join('hub-b'), config, store: { url } });
      // Tokens live in the shared database: one made through hub A works on hub B.
      const clientToken = await hubA.token('client', '*');
      const agent = async (name: string, hub: typeof hubA) => {
        const a = new AgentProcess({
          dir: tmp.join(`agent-${name}`),
          hubUrl: hub.url,
          token: await hubA.token('agent', [name]),
          accounts: [{ name, source: simSource(world.info(name).dbPath), attachments_root: simAttachmentsRoot(world.info(name).dbPath) }],
          config: { debounce_ms: 20 },
        });
        a.start();
        return a;
      };
      await using alice = await agent('alice', hubA);
      await using bob = await agent('bob', hubB);
      const watch = async (hub: typeof hubA) => {
        const client = await HubClient.connect({ url: hub.url, token: clientToken, reconnect: true });
        const seen: HubMessage[] = [];
        await client.watch({ since: 0 }, (m) => seen.push(m));
        return { client, seen };
      };
      const onA = await watch(hubA);
      const onB = await watch(hubB);
      try {
        const members = ['alice@example.com', 'bob@example.com', '+14155550999'];
        const group = world.inject({ from: '+14155550999', text: 'group start', group: { name: 'Both', members } });
        const expected = new Set([group.guid]);
        const shared = new Set([group.guid]);
        for (let round = 0; round < 10; round++) {
          for (let i = 0; i < 10; i++) {
            expected.add(world.inject({ account: 'alice', from: `+1415555${1000 + i}`, text: `a${round}.${i}` }).guid);
            expected.add(world.inject({ account: 'bob', from: `friend${i}@example.org`, text: `b${round}.${i}` }).guid);
          }
          const g = world.inject({ from: '+14155550999', text: `g${round}`, group: { guid: group.chatGuid, members } });
          expected.add(g.guid);
          shared.add(g.guid);
          await sleep(30);
        }
        for (const [name, side] of [
          ['A', onA],
          ['B', onB],
        ] as const) {
          await waitFor(() => new Set(side.seen.map((m) => m.guid)).size >= expected.size, 30_000).catch(() => {
            throw new Error(
              `client on hub ${name} saw ${side.seen.length}/${expected.size}\nA: ${hubA.stderr}\nB: ${hubB.stderr}\nagents: ${alice.stderr}\n${bob.stderr}`,
            );
          });
        }
        await sleep(500); // anything extra would be a duplicate
        for (const side of [onA, onB]) {
          const ids = side.seen.map((m) => m.id);
          expect(new Set(ids).size, 'no id twice').toBe(ids.length);
          expect(
            [...ids].sort((x, y) => x - y),
            'ascending ids',
          ).toEqual(ids);
          expect(side.seen.map((m) => m.guid).sort(), 'each message once (merged)').toEqual([...expected].sort());
          for (const m of side.seen.filter((x) => shared.has(x.guid))) expect([...m.accounts].sort()).toEqual(['alice', 'bob']);
        }
        // Both hubs deliver the same stream.
        expect(onB.seen.map((m) => [m.id, m.guid])).toEqual(onA.seen.map((m) => [m.id, m.guid]));
        // And know every chat, each group once across accounts.
        for (const side of [onA, onB]) {
          const chats = (await side.client.call('chats.list', {})).chats;
          const both = chats.filter((c) => c.name === 'Both');
          expect(both).toHaveLength(1);
          expect([...both[0]!.accounts].sort()).toEqual(['alice', 'bob']);
        }

        // Sends, each taken by the hub that does NOT hold its account's agent: dispatched by the hub
        // that does (it hears of them through the store), answered by the hub that took them.
        const sends = Array.from({ length: 24 }, (_, i) => ({ account: i % 3 ? 'alice' : 'bob', text: `send ${i}` })).map((x) => ({
          ...x,
          via: x.account === 'alice' ? onB : onA,
        }));
        const outcomes = await Promise.all(
          sends.map((x, i) => x.via.client.call('send', { target: `${x.account}/+1415555097${i % 4}`, text: x.text, wait_ms: 20_000 })),
        );
        for (const [i, o] of outcomes.entries()) expect(o, sends[i]!.text).toMatchObject({ state: 'sent', account: sends[i]!.account });
        for (const x of sends) {
          expect(
            world
              .account(x.account)
              .outgoingRows()
              .filter((r) => r.text === x.text),
            x.text,
          ).toHaveLength(1);
        }
      } finally {
        await onA.client.close();
        await onB.client.close();
      }
    } finally {
      world.close();
    }
  });
});
