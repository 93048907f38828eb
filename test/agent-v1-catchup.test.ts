import { HubClient } from '@imsg-hub/hub-client';
import type { HubMessage } from '@imsg-hub/hub-protocol';
import type { SimWorld } from '@imsg-hub/sim';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

// Issue 12 "Done when" 1: an agent's first start against a chat.db of 100,000 rows (an ordinary
// Mac's history) — every row reaches the hub once, in order, marked replay; then a new row arrives
// live. imsg 0.15 is caught up with messages.after pages; imsg 0.9.0 by paging its watch.

const ROWS = 100_000;

function seedHistory(world: SimWorld): number {
  let last = 0;
  for (let start = 0; start < ROWS; start += 10_000) {
    const results = world.injectMany(
      Array.from({ length: 10_000 }, (_, j) => ({ account: 'alice', from: `+1415555${String(1000 + ((start + j) % 50))}`, text: `history ${start + j}` })),
    );
    last = results.at(-1)!.rows[0]!.rowid;
  }
  return last;
}

describe.each(['0.15.10', '0.9.0'] as const)('first start on a 100,000-row chat.db, imsg %s', (imsgVersion) => {
  it('stores every row once, in rowid order, as replay; then a new row arrives live', async () => {
    await using tmp = tempDir('catchup-');
    let lastRowid = 0;
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [{ name: 'alice', handles: ['alice@example.com'], via: 'local', imsgVersion }],
      seed: (world) => (lastRowid = seedHistory(world)),
    });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
    const account = async () => (await client.call('accounts.list', {})).accounts.find((a) => a.name === 'alice')!;
    await waitFor(async () => (await account()).messages >= ROWS, 180_000, 250);
    expect((await account()).cursor.hwm).toBe(lastRowid);

    const seen: HubMessage[] = [];
    await client.watch({ since: 0 }, (m) => seen.push(m));
    await waitFor(() => seen.length >= ROWS, 60_000, 100);
    expect(seen).toHaveLength(ROWS);
    expect(new Set(seen.map((m) => m.guid)).size).toBe(ROWS);
    const native = seen.map((m) => m.native_id);
    expect(native.every((id, i) => i === 0 || id > native[i - 1]!)).toBe(true);
    expect(seen.every((m) => m.replay === true)).toBe(true);

    const live = fleet.world.inject({ account: 'alice', from: '+14155551000', text: 'and now, live' });
    const arrived = await waitFor(() => seen.find((m) => m.text === 'and now, live'), 20_000);
    expect(arrived).toMatchObject({ native_id: live.rows[0]!.rowid });
    expect(arrived.replay).toBeFalsy();
    expect((await account()).messages).toBe(ROWS + 1);
  }, 300_000);
});
