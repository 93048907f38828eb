// The imsg 0.15 conformance target for `imsg-hub rpc` (playing imsg 0.15.10, its default): a real
// hub, a real imsg-agent over imsg-sim 0.15.10 (bridge running), and the facade spawned as a child.
// Ids in the fixture are hub ids. What the facade claims follows from what the account's agent
// reports: the bridge checks run once the agent tells the hub its imsg has a ready bridge.
import { HubClient } from '@imsg-hub/hub-client';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { startFleet } from '../support/fleet.js';
import { facadeEnv, spawnFacade, spawnImsgHub } from './facade-process.js';
import type { V1ConformanceTarget } from './imsg-v1-conformance.js';
import { FRIEND, ME, OTHER } from './sim-target.js';

export async function makeFacadeV1Target(): Promise<V1ConformanceTarget> {
  const dir = tempDir('facade-v1-conf-');
  const fleet = await startFleet({
    dir: dir.path,
    accounts: [{ name: 'me', handles: [ME], via: 'local', simArgs: ['--imsg-version', '0.15.10'] }],
    hubConfig: { default_account: 'me' },
  });
  const client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
  const first = fleet.world.inject({ from: FRIEND, text: 'hello', group: { name: 'Group Chat', members: [FRIEND, OTHER, ME] }, date: Date.now() - 60_000 });
  const stored = await waitFor(async () => {
    const chat = (await client.call('chats.list', {})).chats.find((c) => c.guid === first.chatGuid);
    if (!chat) return undefined;
    return (await client.call('messages.history', { chat_id: chat.id, limit: 5 })).messages.find((m) => m.guid === first.guid);
  }, 30_000);
  const me = (await client.call('accounts.list', {})).accounts.find((a) => a.name === 'me');
  const f = { hubUrl: fleet.hub.url, token: fleet.clientToken, cacheHome: dir.join('cache') };
  return {
    fixture: {
      groupChatId: stored.chat_id,
      groupChatGuid: first.chatGuid,
      messageId: stored.id,
      messageGuid: first.guid,
      unknownChatId: 999_999,
      directHandle: '+14155550199',
    },
    claims: {
      bridge: me?.capabilities?.bridge_ready === true,
      // The hub keeps no chat.db read state, does not end a watch on a full buffer, and sends what
      // the account's imsg decides (its transport is imsg's answer, passed on).
      readState: false,
      overflow: false,
      transportChoice: false,
      // The attempt id is the hub's idempotency key; the message guid is the one imsg chose.
      trackedGuid: false,
      unimplemented: ['handles.check', 'message.delete', 'chats.create'],
    },
    spawnRpc: () => spawnFacade(f),
    // As the wrapper runs it: `--version` reports the imsg it plays.
    spawnCli: (args) => spawnImsgHub(args, { ...facadeEnv(f), IMSG_VERSION: '0.15.10' }),
    injectMessages: async (count, text) => {
      const before = (await client.call('messages.history', { chat_id: stored.chat_id, limit: 1 })).messages[0]?.id ?? 0;
      fleet.world.injectMany(
        Array.from({ length: count }, (_, i) => ({ from: OTHER, text: count === 1 ? text : `${text} #${i}`, group: { guid: first.chatGuid } })),
      );
      await waitFor(
        async () => (await client.call('messages.history', { chat_id: stored.chat_id, limit: count })).messages.filter((m) => m.id > before).length >= count,
        20_000,
      );
    },
    async [Symbol.asyncDispose]() {
      await client.close();
      await fleet[Symbol.asyncDispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
}
