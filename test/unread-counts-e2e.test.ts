import { HubClient } from '@imsg-hub/hub-client';
import type { HubChat } from '@imsg-hub/hub-protocol';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

// Issue 13 "Views": chat unread counts merged per conversation. Each account's imsg says what is
// unread on its Mac (chats.list unread_count); a shared group counts what the account that read
// least has unread, not the sum of both copies.

const ALICE = 'alice@example.com';
const BOB = '+14155550102';
const SAM = '+14155550999';

describe('unread counts through real processes', () => {
  it('chats.list carries unread counts that follow reads on each Mac, merged per conversation', async () => {
    await using tmp = tempDir('unread-');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: [ALICE], via: 'local' },
        { name: 'bob', handles: [BOB], via: 'local' },
      ],
      agentConfig: { unread_interval_ms: 200 },
    });
    fleet.world.inject({ account: 'alice', from: SAM, text: 'one' });
    fleet.world.inject({ account: 'alice', from: SAM, text: 'two' });
    fleet.world.inject({ from: SAM, text: 'all of us', group: { name: 'Us', members: [ALICE, BOB, SAM] } });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
    const chats = async (p: { account?: string; merged?: boolean } = {}) => (await client.call('chats.list', p)).chats;
    const dm = (list: HubChat[]) => list.find((c) => c.account === 'alice' && c.identifier === SAM && !c.is_group);
    const group = (list: HubChat[]) => list.find((c) => c.is_group && c.name === 'Us');

    const first = await waitFor(async () => {
      const list = await chats();
      return dm(list)?.unread_count === 2 && group(list)?.unread_count === 1 && group(list)?.accounts.length === 2 && list;
    }, 20_000);
    expect(first.filter((c) => c.is_group)).toHaveLength(1); // one conversation, counted once

    // alice reads the DM on her Mac (through the hub): its count goes to 0.
    await client.call('imsg.call', { account: 'alice', method: 'read', params: { chat_id: dm(first)!.id } });
    await waitFor(async () => dm(await chats())?.unread_count === 0, 10_000);

    // bob reads the group: his copy is read, alice's is not, so the conversation still has 1 unread.
    const bobGroup = group(await chats({ account: 'bob' }))!;
    await client.call('imsg.call', { account: 'bob', method: 'read', params: { chat_id: bobGroup.id } });
    await waitFor(async () => group(await chats({ account: 'bob' }))?.unread_count === 0, 10_000);
    expect(group(await chats({ account: 'alice' }))?.unread_count).toBe(1);
    expect(group(await chats())?.unread_count).toBe(1);

    const aliceGroup = group(await chats({ account: 'alice' }))!;
    await client.call('imsg.call', { account: 'alice', method: 'read', params: { chat_id: aliceGroup.id } });
    await waitFor(async () => group(await chats())?.unread_count === 0, 10_000);
  }, 60_000);
});
