import { HubClient } from '@imsg-hub/hub-client';
import type { HubMessage } from '@imsg-hub/hub-protocol';
import { postgresAvailable, tempDir, waitFor, withClient } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

// Issue 15: a real hub process keeps its state in a real PostgreSQL server; real agents over
// imsg-sim feed it. Rows land in the database, survive a kill -9 of the hub, and nothing doubles.
describe.skipIf(!postgresAvailable() && !process.env['CI'])('hub on PostgreSQL end to end', () => {
  it('stores every row of two accounts in PostgreSQL, once, across a hub kill -9', async () => {
    await using tmp = tempDir('pg-e2e-');
    await using fleet = await startFleet({
      dir: tmp.path,
      hubStore: 'postgres',
      accounts: [
        { name: 'alice', handles: ['alice@example.com'], via: 'local' },
        { name: 'bob', handles: ['bob@example.com'], via: 'local' },
      ],
      agentConfig: { hub: { reconnect: { initial_ms: 100, max_ms: 500 } } },
    });
    const url = fleet.hub.storeUrl!;
    expect(url).toMatch(/^postgres:\/\/.+\/imsg_hub$/);
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
    const seen: HubMessage[] = [];
    await client.watch({ since: 0 }, (m) => seen.push(m));

    const guids: string[] = [];
    const inject = (n: number, from: number) => {
      for (let i = from; i < from + n; i++) guids.push(fleet.world.inject({ account: i % 2 ? 'alice' : 'bob', from: '+14155550911', text: `m${i}` }).guid);
    };
    const storedCount = () => withClient(url, async (c) => Number((await c.query('SELECT count(*) AS n FROM messages')).rows[0].n));

    inject(40, 0);
    await waitFor(async () => (await storedCount()) >= 40, 20_000);
    await fleet.hub.kill('SIGKILL');
    inject(40, 40);
    await fleet.hub.start();
    await waitFor(() => seen.length >= 80, 30_000).catch(() => {
      throw new Error(`saw ${seen.length}/80; hub stderr: ${fleet.hub.stderr}`);
    });
    await new Promise((r) => setTimeout(r, 300)); // anything extra would be a duplicate

    expect(seen.map((m) => m.guid).sort()).toEqual([...guids].sort());
    expect(await storedCount()).toBe(80);
    const rows = await withClient(
      url,
      async (c) => (await c.query('SELECT account, count(*)::int AS n, max(seq)::int AS max FROM messages GROUP BY account ORDER BY account')).rows,
    );
    expect(rows.map((r) => [r.account, r.n])).toEqual([
      ['alice', 40],
      ['bob', 40],
    ]);
    // Hub ids are the database's sequences, delivered in order.
    const ids = seen.map((m) => m.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(Math.max(...ids)).toBe(Math.max(...rows.map((r) => r.max)));
    // The high-water marks are in the database too.
    const accounts = await withClient(
      url,
      async (c) => (await c.query('SELECT name, hwm::int AS hwm, message_count::int AS n FROM accounts ORDER BY name')).rows,
    );
    expect(accounts).toEqual([
      { name: 'alice', hwm: fleet.world.account('alice').maxRowId(), n: 40 },
      { name: 'bob', hwm: fleet.world.account('bob').maxRowId(), n: 40 },
    ]);
  });
});
