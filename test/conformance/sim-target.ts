// The conformance target for imsg-sim: a fresh world of one account with a group chat, and the
// built `imsg-sim` bin spawned as a real child.
import { createImsgFixtureDb, SimWorld } from '@imsg-hub/sim';
import { binPath, spawnLineProcess, tempDir, type LineProcess } from '@imsg-hub/testkit';
import type { ConformanceTarget } from './imsg-conformance.js';

export const ME = 'me@example.com';
export const FRIEND = '+14155550123';
export const OTHER = 'friend@example.com';

/** Environment that makes `imsg-sim` play imsg 0.9.0 (its default is 0.15.10). */
export const IMSG_090_ENV = { IMSG_SIM_IMSG_VERSION: '0.9.0' } as const;

/** Spawns the built `imsg-sim` with `args` (no shell). */
export function spawnSim(args: readonly string[], env: NodeJS.ProcessEnv = {}): LineProcess {
  return spawnLineProcess(process.execPath, [binPath('imsg-sim'), ...args], {
    env: { ...process.env, ...env },
    timeoutMs: 10_000,
  });
}

export async function makeSimTarget(): Promise<ConformanceTarget> {
  const dir = tempDir('imsg-sim-conf-');
  const world = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'me/chat.db', handles: [ME] }] }, dir.join('world.json'));
  const first = world.inject({ from: FRIEND, text: 'hello', group: { name: 'Group Chat', members: [FRIEND, OTHER, ME] }, date: Date.now() - 60_000 });
  const chatGuid = first.chatGuid;
  const dbPath = world.info('me').dbPath;
  return {
    fixture: {
      groupChatId: first.rows[0]!.chatId,
      messageId: first.rows[0]!.rowid,
      messageGuid: first.guid,
      unknownChatId: 999,
      directHandle: '+14155550199',
    },
    spawnRpc: () => spawnSim(['rpc', '--db', dbPath, '--poll-ms', '200'], IMSG_090_ENV),
    spawnCli: (args) => spawnSim(args, IMSG_090_ENV),
    spawnBrokenRpc: () => spawnSim(['rpc', '--db', dir.join('missing', 'chat.db')], IMSG_090_ENV),
    injectMessage: async (text) => {
      world.inject({ from: OTHER, text, group: { guid: chatGuid } });
    },
    injectReaction: async (target, type) => {
      world.inject({ from: OTHER, reaction: { target, type }, group: { guid: chatGuid } });
    },
    async [Symbol.asyncDispose]() {
      world.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/**
 * The same suite over imsg's own minimal test schema (only the columns imsg requires, plus the
 * reaction columns), proving the simulator reads chat.dbs it did not create.
 */
export async function makeMinimalSchemaTarget(): Promise<ConformanceTarget> {
  const dir = tempDir('imsg-sim-conf-min-');
  const dbPath = dir.join('chat.db');
  createImsgFixtureDb(dbPath, { reactionColumns: true });
  const world = SimWorld.single(dbPath);
  const chatGuid = 'iMessage;+;chat123';
  return {
    fixture: { groupChatId: 1, messageId: 5, messageGuid: 'msg-guid-5', unknownChatId: 999, directHandle: '+14155550199' },
    spawnRpc: () => spawnSim(['rpc', '--db', dbPath, '--poll-ms', '200'], IMSG_090_ENV),
    spawnCli: (args) => spawnSim(args, IMSG_090_ENV),
    spawnBrokenRpc: () => spawnSim(['rpc', '--db', dir.join('absent.db')], IMSG_090_ENV),
    injectMessage: async (text) => {
      world.inject({ from: '+123', text, group: { guid: chatGuid } });
    },
    injectReaction: async (target, type) => {
      world.inject({ from: 'me@icloud.com', reaction: { target, type }, group: { guid: chatGuid } });
    },
    async [Symbol.asyncDispose]() {
      world.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}
