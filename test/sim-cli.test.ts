// The imsg-sim CLI surface beyond rpc: version, status, chats, init, inject, world init.
import { writeFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { ChatDb } from '@imsg-hub/sim';
import { tempDir } from '@imsg-hub/testkit';
import { IMSG_090_ENV, spawnSim } from './conformance/sim-target.js';

// These cases pin imsg 0.9.0's CLI surface; test/sim-v1-cli.test.ts covers 0.15's.
async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string[]; err: string }> {
  await using p = spawnSim(args, { ...IMSG_090_ENV, ...env });
  const { code } = await p.exited;
  return { code, out: p.lines, err: p.stderr };
}

test('--version is bare (IMSG_VERSION overrides); status --json has imsg’s keys; unknown commands exit 1', async () => {
  expect(await run(['--version'])).toMatchObject({ code: 0, out: ['0.9.0'] });
  expect(await run(['--version'], { IMSG_VERSION: '9.9.9' })).toMatchObject({ code: 0, out: ['9.9.9'] });
  const status = await run(['status', '--json']);
  expect(status.code).toBe(0);
  const payload = JSON.parse(status.out[0]!);
  expect(Object.keys(payload).sort()).toEqual([
    'advanced_features',
    'basic_features',
    'bridge_version',
    'message',
    'read_receipts',
    'rpc_methods',
    'selectors',
    'sip',
    'typing_indicators',
    'v2_ready',
    'version',
  ]);
  expect(payload).toMatchObject({ advanced_features: false, v2_ready: false, selectors: {} });
  expect(payload.rpc_methods).toEqual(expect.arrayContaining(['chats.list', 'messages.history', 'watch.subscribe', 'watch.unsubscribe', 'send']));
  const unknown = await run(['send-attachment']);
  expect(unknown.code).toBe(1);
  expect(unknown.err).toContain('unknown command "send-attachment"');
});

test('init + inject (text, attachment, tapback, reply, group, date) + chats --json', async () => {
  await using dir = tempDir('sim-cli-');
  const db = dir.join('acct', 'chat.db');
  expect((await run(['init', '--db', db, '--handle', 'me@example.com'])).code).toBe(0);
  const inject = async (...args: string[]) => {
    const r = await run(['inject', '--db', db, '--json', ...args]);
    expect(r.code, r.err).toBe(0);
    return JSON.parse(r.out[0]!) as { guid: string; chat_guid: string; rows: { rowid: number }[] };
  };
  const first = await inject('--from', '+1 415 555 0101', '--text', 'hello', '--date', '2026-05-16T15:24:36.121Z');
  expect(first.chat_guid).toBe('iMessage;-;+14155550101');
  writeFileSync(dir.join('pic.png'), 'png!');
  const file = await inject('--from', '+14155550101', '--file', dir.join('pic.png'));
  await inject('--from', '+14155550101', '--reaction', 'laugh', '--target', first.guid);
  await inject('--from', '+14155550101', '--text', 're: hello', '--reply-to', first.guid);
  const group = await inject(
    '--from',
    '+14155550101',
    '--text',
    'group!',
    '--member',
    '+14155550101',
    'x@example.com',
    'me@example.com',
    '--group-name',
    'Crew',
  );
  expect(group.chat_guid).toMatch(/^iMessage;\+;chat\d+$/);

  const chatDb = new ChatDb(db);
  try {
    expect(chatDb.messageByGuid(first.guid)).toMatchObject({
      text: 'hello',
      date: '2026-05-16T15:24:36.121Z',
      destinationCallerId: 'me@example.com',
      isFromMe: false,
    });
    expect(chatDb.messageByRowId(file.rows[0]!.rowid)!.attachments).toEqual([
      { filename: expect.stringContaining(dir.join('acct', 'Attachments')), transferName: 'pic.png', totalBytes: 4 },
    ]);
    expect(chatDb.incomingRows().find((m) => m.associatedMessageType === 2003)).toMatchObject({
      associatedMessageGuid: `p:0/${first.guid}`,
      text: 'Laughed at “hello”',
    });
    expect(chatDb.incomingRows().find((m) => m.text === 're: hello')!.threadOriginatorGuid).toBe(first.guid);
    expect(chatDb.chatByGuid(group.chat_guid)).toMatchObject({ displayName: 'Crew', participants: ['+14155550101', 'x@example.com'] });
  } finally {
    chatDb.close();
  }
  const chats = await run(['chats', '--db', db, '--json']);
  const lines = chats.out.map((l) => JSON.parse(l));
  expect(lines.map((c) => c.identifier)).toEqual([group.chat_guid.split(';').at(-1), '+14155550101']);
  expect(lines[0]).toMatchObject({ name: 'Crew', display_name: 'Crew', is_group: true, last_addressed_handle: 'me@example.com' });
});

test('world init creates every db; rpc finds its world through the db or IMSG_SIM_WORLD', async () => {
  await using dir = tempDir('sim-cli-world-');
  writeFileSync(
    dir.join('world.json'),
    JSON.stringify({
      version: 1,
      accounts: [
        { name: 'a', db: 'a/chat.db', handles: ['a@example.com'] },
        { name: 'b', db: 'b/chat.db', handles: ['b@example.com'] },
      ],
    }),
  );
  const init = await run(['world', 'init', '--world', dir.join('world.json'), '--json']);
  expect(init.out.map((l) => JSON.parse(l).account)).toEqual(['a', 'b']);
  const injected = await run(['inject', '--world', dir.join('world.json'), '--from', '+14155550101', '--to', 'b@example.com', '--text', 'for b', '--json']);
  expect(JSON.parse(injected.out[0]!).rows).toEqual([{ account: 'b', rowid: 1, chatId: 1 }]);
  await using rpc = spawnSim(['rpc', '--db', dir.join('a', 'chat.db')], { ...IMSG_090_ENV, IMSG_SIM_WORLD: dir.join('world.json') });
  rpc.writeJson({ jsonrpc: '2.0', id: 1, method: 'send', params: { to: 'B@example.com', text: 'from a' } });
  expect(await rpc.nextJson()).toMatchObject({ id: 1, result: { ok: true } });
  const b = new ChatDb(dir.join('b', 'chat.db'));
  expect(b.incomingRows().map((m) => [m.text, m.handle])).toEqual([
    ['for b', '+14155550101'],
    ['from a', 'a@example.com'],
  ]);
  b.close();
  const bad = await run(['world', 'init', '--world', dir.join('nope.json')]);
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('cannot read world file');
});
