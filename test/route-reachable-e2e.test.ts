import Database from 'better-sqlite3';
import { HubClient } from '@imsg-hub/hub-client';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

// Issue 13 "Reachability": an opt-in route rule prefers an identity whose imsg says it can reach the
// handle by iMessage (handles.check), through real sims, agents and hub. alice has only SMS history
// with the handle (so routing by affinity would pick her, and her imsg says no); carol's bridge is
// down (her imsg cannot tell); bob can.

const SAM = '+14155550777';

describe('routing to an identity that reaches the handle by iMessage', () => {
  it('a prefer-imessage rule sends through the first account whose imsg can reach the handle', async () => {
    await using tmp = tempDir('route-reachable-');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: ['alice@example.com'], via: 'local' },
        { name: 'bob', handles: ['bob@example.com'], via: 'local' },
        { name: 'carol', handles: ['carol@example.com'], via: 'local', simArgs: ['--bridge', 'absent'] },
      ],
      hubConfig: { routes: [{ match: { handle: '+1415*' }, prefer: 'imessage', accounts: ['carol', 'alice', 'bob'] }], send: { wait_ms: 15_000 } },
    });
    fleet.world.inject({ account: 'alice', from: SAM, text: 'by sms', service: 'SMS' });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken });
    await waitFor(async () => (await client.call('chats.list', {})).chats.some((c) => c.account === 'alice' && c.identifier === SAM), 20_000);
    // Every agent reported its imsg (handles.check needs to know what each can do).
    await waitFor(async () => (await client.call('accounts.list', {})).accounts.every((a) => a.capabilities), 20_000);
    const check = await client.call('handles.check', { handle: SAM });
    expect(Object.fromEntries(check.accounts.map((a) => [a.account, a.available ?? 'unknown']))).toEqual({ alice: false, bob: true, carol: 'unknown' });

    const sent = await client.call('send', { target: SAM, text: 'over iMessage', idempotency_key: 'reach-1' });
    expect(sent).toMatchObject({ state: 'sent', account: 'bob', route: 'reachable' });
    const db = new Database(fleet.world.info('bob').dbPath, { readonly: true });
    try {
      expect(db.prepare('SELECT text FROM message WHERE guid = ?').get(sent.result!.guid)).toEqual({ text: 'over iMessage' });
    } finally {
      db.close();
    }
    // Naming the account still wins.
    expect(await client.call('send', { target: `alice/${SAM}`, text: 'as alice', idempotency_key: 'reach-2' })).toMatchObject({
      account: 'alice',
      route: 'explicit',
    });
  }, 60_000);
});
