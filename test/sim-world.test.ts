// Two accounts of one world, each served by its own imsg-sim rpc child.
import { expect, test } from 'vitest';
import { SimWorld } from '@imsg-hub/sim';
import { tempDir } from '@imsg-hub/testkit';
import { call } from './conformance/imsg-conformance.js';
import { IMSG_090_ENV, spawnSim } from './conformance/sim-target.js';

type Json = Record<string, any>;

test('alice sends to a handle of bob over rpc; bob’s rpc watch sees it with the same guid; groups share a guid', async () => {
  await using dir = tempDir('sim-world-rpc-');
  await using world = SimWorld.create(
    {
      version: 1,
      accounts: [
        { name: 'alice', db: 'alice/chat.db', handles: ['alice@example.com', '+14155550101'] },
        { name: 'bob', db: 'bob/chat.db', handles: ['bob@example.com', '+14155550102'] },
      ],
    },
    dir.join('world.json'),
  );
  await using alice = spawnSim(['rpc', '--db', world.info('alice').dbPath], IMSG_090_ENV);
  await using bob = spawnSim(['rpc', '--db', world.info('bob').dbPath], IMSG_090_ENV);
  const { subscription } = (await call(bob, 'watch.subscribe', { debounce_ms: 10 }))['result'];

  const sent = (await call(alice, 'send', { to: '(415) 555-0102', text: 'hello bob' }))['result'] as Json;
  expect(sent).toMatchObject({ ok: true, transport: 'applescript' });
  const n = await bob.nextJson<Json>((v) => v['method'] === 'message' && v['params']['subscription'] === subscription);
  expect(n['params']['message']).toMatchObject({
    guid: sent['guid'],
    text: 'hello bob',
    is_from_me: false,
    sender: 'alice@example.com',
    destination_caller_id: '+14155550102',
    chat_guid: 'iMessage;-;alice@example.com',
  });

  const group = world.inject({
    from: '+14155550999',
    text: 'group hi',
    group: { name: 'Pals', members: ['+14155550999', 'alice@example.com', 'bob@example.com'] },
  });
  const chatsOf = async (p: typeof alice) => ((await call(p, 'chats.list', { limit: 10 }))['result']['chats'] as Json[]).filter((c) => c['is_group']);
  const [aliceGroup] = await chatsOf(alice);
  const [bobGroup] = await chatsOf(bob);
  expect(aliceGroup!['guid']).toBe(group.chatGuid);
  expect(bobGroup!['guid']).toBe(group.chatGuid);
  expect(aliceGroup!['participants']).toEqual(['+14155550999', 'bob@example.com']);

  const inGroup = (await call(alice, 'send', { chat_guid: group.chatGuid, text: 'count me in' }))['result'] as Json;
  const m = await bob.nextJson<Json>((v) => v['method'] === 'message' && v['params']['message']['guid'] === inGroup['guid']);
  expect(m['params']['message']).toMatchObject({ chat_guid: group.chatGuid, is_group: true, sender: 'alice@example.com', chat_name: 'Pals' });
});
