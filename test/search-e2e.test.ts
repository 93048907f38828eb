import { HubClient } from '@imsg-hub/hub-client';
import type { HubMessage } from '@imsg-hub/hub-protocol';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

// Issue 13: merged full-text search through real processes (hub, three agents, imsg-sim).
describe('search end to end', () => {
  it('finds messages of all three accounts, respects token scope, and pages stably', async () => {
    await using tmp = tempDir('search-e2e-');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: ['alice@example.com'], via: 'local' },
        { name: 'bob', handles: ['bob@example.com'], via: 'local' },
        { name: 'work', handles: ['work@example.com'], via: 'local' },
      ],
    });
    fleet.world.inject({ account: 'alice', from: '+14155550100', text: 'Budget meeting moved to Friday' });
    fleet.world.inject({ account: 'bob', from: '+14155550101', text: 'the budget is approved' });
    fleet.world.inject({ account: 'work', from: '+14155550102', text: 'Budgeting spreadsheet attached' });
    fleet.world.inject({ account: 'work', from: '+14155550102', text: 'nothing to see here' });
    for (let i = 0; i < 5; i++) fleet.world.inject({ account: 'alice', from: '+14155550103', text: `budget line ${i}` });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken });
    await waitFor(async () => (await client.call('accounts.list', {})).accounts.reduce((n, a) => n + a.messages, 0) === 9, 20_000);

    // Every account, through the CLI: the last word matches as a prefix ("budget" → "Budgeting").
    const cli = await fleet.hub.cli(['search', 'budget', '--limit', '20', '--json', '--token', fleet.clientToken]);
    expect(cli.code, cli.stderr).toBe(0);
    const found = cli.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HubMessage);
    expect(new Set(found.map((m) => m.account))).toEqual(new Set(['alice', 'bob', 'work']));
    expect(found).toHaveLength(8);
    expect(found.map((m) => m.id)).toEqual([...found.map((m) => m.id)].sort((a, b) => b - a)); // newest first

    // A token scoped to bob finds only bob's, and naming another account is refused.
    const bobToken = await fleet.hub.token('client', ['bob']);
    const scoped = await fleet.hub.cli(['search', 'budget', '--json', '--token', bobToken]);
    expect(
      scoped.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as HubMessage).account),
    ).toEqual(['bob']);
    const refused = await fleet.hub.cli(['search', 'budget', '--account', 'alice', '--token', bobToken]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/may not see account alice/);

    // Pages: walking with `before` gives every match once, even when a new match arrives mid-walk.
    const first = await client.call('messages.search', { query: 'budget', limit: 3 });
    fleet.world.inject({ account: 'bob', from: '+14155550101', text: 'budget v2' });
    await waitFor(async () => (await client.call('messages.search', { query: 'v2' })).messages.length === 1, 20_000);
    const pages = [first.messages];
    let before = first.next_before;
    while (before !== undefined) {
      const page = await client.call('messages.search', { query: 'budget', limit: 3, before });
      pages.push(page.messages);
      before = page.next_before;
    }
    expect(pages.flat().map((m) => m.id)).toEqual(found.map((m) => m.id));
    // Filters: sender and from-me.
    const fromSender = await client.call('messages.search', { query: 'budget', sender: '(415) 555-0101' });
    expect(fromSender.messages.map((m) => m.text)).toEqual(['budget v2', 'the budget is approved']);
    expect((await client.call('messages.search', { query: 'budget', from_me: true })).messages).toEqual([]);
  }, 60_000);
});
