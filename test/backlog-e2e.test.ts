import { HubClient } from '@imsg-hub/hub-client';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

// imsg's watch reads 100 rows per trigger (a file event or its 5 s poll, reference §2.3), and the
// simulator does the same by default. A burst of thousands of rows must still arrive in seconds,
// not at 100 per 5 s: the agent's backlog pump resubscribes after each full page.
describe('a large backlog', () => {
  it('arrives in seconds, complete and in order, although imsg hands out 100 rows per trigger', async () => {
    await using tmp = tempDir('backlog-');
    // imsg's pacing, and a fallback poll so slow it never fires here: without the pump, one page arrives.
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [{ name: 'alice', handles: ['alice@example.com'], via: 'local', imsgVersion: '0.9.0', simArgs: ['--pace', 'imsg', '--poll-ms', '600000'] }],
    });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken });
    await waitFor(async () => (await client.call('accounts.list', {})).accounts[0]?.imsg.state === 'running', 20_000);
    // 2,500 rows written at once (an iCloud sync, say): one file event, so one page, from imsg.
    const rows = fleet.world.injectMany(
      Array.from({ length: 2500 }, (_, i) => ({ account: 'alice', from: `+1415555${String(1000 + (i % 80))}`, text: `sync ${i}` })),
    );
    let stored = 0;
    await waitFor(async () => {
      stored = (await client.call('accounts.list', {})).accounts[0]!.messages;
      return stored >= 2500;
    }, 60_000).catch(() => {
      throw new Error(`only ${stored}/2500 stored; agent: ${fleet.agents.get('alice')!.stderr.slice(-2000)}`);
    });
    const { accounts } = await client.call('accounts.list', {});
    expect(accounts[0]!.cursor.hwm).toBe(rows.at(-1)!.rows[0]!.rowid);
  }, 90_000);
});
