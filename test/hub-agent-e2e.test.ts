import { HubClient } from '@imsg-hub/hub-client';
import type { HubMessage } from '@imsg-hub/hub-protocol';
import { startSshd, tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

// Issue 3, "Done when" 1: three simulated accounts (two local children, one over SSH to a real
// sshd with its host key pinned) stream into one hub; a client sees every row once, tagged.
describe('hub + agents end to end', () => {
  it('merges three accounts into one stream: every row once, right account, unique ids, per-chat order', async () => {
    await using tmp = tempDir('e2e-three-');
    await using sshd = await startSshd();
    await using fleet = await startFleet({
      dir: tmp.path,
      sshd,
      accounts: [
        { name: 'alice', handles: ['alice@example.com', '+14155550101'], via: 'local' },
        { name: 'bob', handles: ['bob@example.com'], via: 'local' },
        { name: 'carol', handles: ['+14155550303'], via: 'ssh' },
      ],
    });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
    const seen: HubMessage[] = [];
    await client.watch({ since: 0 }, (m) => seen.push(m));

    const injected: { account: string; guid: string }[] = [];
    const friends = ['+14155550911', '+14155550912', 'dana@example.org'];
    for (let i = 0; i < 15; i++) {
      for (const account of ['alice', 'bob', 'carol']) {
        const r = fleet.world.inject({ account, from: friends[i % friends.length]!, text: `${account} dm ${i}` });
        injected.push({ account, guid: r.guid });
      }
    }
    // A group alice and bob are both in: one guid per message, one chat guid in both dbs.
    const members = ['alice@example.com', 'bob@example.com', '+14155550911'];
    const first = fleet.world.inject({ from: '+14155550911', text: 'group hello', group: { name: 'Family', members } });
    const shared = [first.guid];
    for (let i = 0; i < 4; i++) {
      shared.push(fleet.world.inject({ from: '+14155550911', text: `group ${i}`, group: { guid: first.chatGuid, members } }).guid);
    }
    expect(first.rows.map((r) => r.account).sort()).toEqual(['alice', 'bob']);

    const expected = injected.length + shared.length;
    await waitFor(() => seen.length >= expected, 30_000).catch(() => {
      throw new Error(`saw ${seen.length}/${expected}; hub stderr: ${fleet.hub.stderr}; agents: ${[...fleet.agents.values()].map((a) => a.stderr).join('\n')}`);
    });
    await new Promise((r) => setTimeout(r, 300)); // anything extra would be a duplicate
    expect(seen).toHaveLength(expected);

    // Unique hub ids, ascending in delivery order.
    const ids = seen.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);

    // Every injected DM exactly once, tagged with the account whose chat.db holds it at that rowid.
    for (const { account, guid } of injected) {
      const copies = seen.filter((m) => m.guid === guid);
      expect(copies).toHaveLength(1);
      expect(copies[0]!.account).toBe(account);
      expect(copies[0]!.native_id).toBe(fleet.world.account(account).messageByGuid(guid)!.rowid);
    }

    // The shared group: each message once, listing both accounts, one hub conversation.
    const group = seen.filter((m) => shared.includes(m.guid));
    expect(group).toHaveLength(shared.length);
    for (const m of group) expect([...m.accounts].sort()).toEqual(['alice', 'bob']);
    expect(new Set(group.map((m) => m.chat_id)).size).toBe(1);
    const chats = await client.call('chats.list', {});
    const family = chats.chats.filter((c) => c.name === 'Family');
    expect(family).toHaveLength(1);
    expect([...family[0]!.accounts].sort()).toEqual(['alice', 'bob']);

    // Per-chat order: within each chat, hub order follows the chat.db's own order.
    const byChat = new Map<string, HubMessage[]>();
    for (const m of seen) byChat.set(`${m.account}/${m.chat_id}`, [...(byChat.get(`${m.account}/${m.chat_id}`) ?? []), m]);
    for (const list of byChat.values()) {
      const native = list.map((m) => m.native_id);
      expect([...native].sort((a, b) => a - b)).toEqual(native);
    }

    // Chat ids are hub ids: distinct across accounts even where chat.db ROWIDs collide.
    const dmChats = new Set(seen.filter((m) => !m.is_group).map((m) => `${m.account}:${m.chat_id}`));
    const dmChatIds = new Set(seen.filter((m) => !m.is_group).map((m) => m.chat_id));
    expect(dmChatIds.size).toBe(dmChats.size);

    // Health per account, through the client API.
    const { accounts } = await client.call('accounts.list', {});
    expect(accounts.map((a) => [a.name, a.agent.connected])).toEqual([
      ['alice', true],
      ['bob', true],
      ['carol', true],
    ]);
    for (const a of accounts) expect(a.messages).toBeGreaterThan(0);
  }, 90_000);
});
