// The v1 conformance target for imsg-sim: a fresh world of one account with a group chat, and the
// built `imsg-sim` bin (default: imsg 0.15.10, bridge ready) spawned as a real child.
import { SimWorld } from '@imsg-hub/sim';
import { tempDir } from '@imsg-hub/testkit';
import type { V1ConformanceTarget } from './imsg-v1-conformance.js';
import { FRIEND, ME, OTHER, spawnSim } from './sim-target.js';

export async function makeSimV1Target(): Promise<V1ConformanceTarget> {
  const dir = tempDir('imsg-sim-v1-conf-');
  const world = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'me/chat.db', handles: [ME] }] }, dir.join('world.json'));
  const first = world.inject({ from: FRIEND, text: 'hello', group: { name: 'Group Chat', members: [FRIEND, OTHER, ME] }, date: Date.now() - 60_000 });
  const dbPath = world.info('me').dbPath;
  return {
    fixture: {
      groupChatId: first.rows[0]!.chatId,
      groupChatGuid: first.chatGuid,
      messageId: first.rows[0]!.rowid,
      messageGuid: first.guid,
      unknownChatId: 999,
      directHandle: '+14155550199',
    },
    spawnRpc: () => spawnSim(['rpc', '--db', dbPath, '--poll-ms', '200']),
    spawnCli: (args) => spawnSim(args),
    injectMessages: async (count, text) => {
      world.injectMany(Array.from({ length: count }, (_, i) => ({ from: OTHER, text: count === 1 ? text : `${text} #${i}`, group: { guid: first.chatGuid } })));
    },
    async [Symbol.asyncDispose]() {
      world.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}
