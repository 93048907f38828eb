// The conformance target for `imsg-hub rpc`: a real hub, a real imsg-agent over a real imsg-sim,
// and the facade spawned as a child. Ids in the fixture are hub ids, not chat.db ROWIDs.
import { HubClient } from '@imsg-hub/hub-client';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { startFleet } from '../support/fleet.js';
import { facadeEnv, spawnFacade, spawnImsgHub } from './facade-process.js';
import type { ConformanceTarget } from './imsg-conformance.js';
import { FRIEND, ME, OTHER } from './sim-target.js';

export async function makeFacadeTarget(): Promise<ConformanceTarget> {
  const dir = tempDir('facade-conf-');
  // One account; a default route so a direct send to a handle nobody has talked to has an identity.
  const fleet = await startFleet({ dir: dir.path, accounts: [{ name: 'me', handles: [ME], via: 'local' }], hubConfig: { default_account: 'me' } });
  const client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
  const first = fleet.world.inject({ from: FRIEND, text: 'hello', group: { name: 'Group Chat', members: [FRIEND, OTHER, ME] }, date: Date.now() - 60_000 });
  const chatGuid = first.chatGuid;
  const stored = await waitFor(async () => {
    const chat = (await client.call('chats.list', {})).chats.find((c) => c.guid === chatGuid);
    if (!chat) return undefined;
    return (await client.call('messages.history', { chat_id: chat.id, limit: 5 })).messages.find((m) => m.guid === first.guid);
  }, 30_000);
  // The imsg 0.9.0 suite: the facade playing 0.9.0 (its imsg 0.15 side has its own suite).
  const f = { hubUrl: fleet.hub.url, token: fleet.clientToken, cacheHome: dir.join('cache'), imsgVersion: '0.9.0' as const };
  /** The facade reads the hub: a message counts as there once the hub has stored it. */
  const inHub = (text: string) =>
    waitFor(async () => (await client.call('messages.history', { chat_id: stored.chat_id, limit: 20 })).messages.some((m) => m.text === text), 20_000);
  return {
    fixture: {
      groupChatId: stored.chat_id,
      messageId: stored.id,
      messageGuid: first.guid,
      unknownChatId: 999_999,
      directHandle: '+14155550199',
    },
    spawnRpc: () => spawnFacade(f),
    spawnCli: (args) => spawnImsgHub(args, facadeEnv(f)),
    // The facade's startup-error mode: no token to reach the hub with.
    spawnBrokenRpc: () => spawnImsgHub(['rpc', '--json'], { ...facadeEnv(f), IMSG_HUB_TOKEN: '' }),
    brokenRpcSays: ['no hub token: pass --token or --token-file'],
    injectMessage: async (text) => {
      fleet.world.inject({ from: OTHER, text, group: { guid: chatGuid } });
      await inHub(text);
    },
    injectReaction: async (target, type) => {
      const before = (await client.call('reactions.list', { guids: [target] })).reactions.length;
      fleet.world.inject({ from: OTHER, reaction: { target, type }, group: { guid: chatGuid } });
      await waitFor(async () => (await client.call('reactions.list', { guids: [target] })).reactions.length > before, 20_000);
    },
    async [Symbol.asyncDispose]() {
      await client.close();
      await fleet[Symbol.asyncDispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
}
