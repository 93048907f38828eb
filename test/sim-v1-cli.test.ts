// The imsg-sim CLI for imsg 0.15: --version anywhere, --imsg-version choices, and `inject` writing
// what other people do (emoji tapbacks, edits, unsends, read and delivered receipts, typing).
import { expect, test } from 'vitest';
import Database from 'better-sqlite3';
import { decodeAttributedBody } from '@imsg-hub/sim';
import { tempDir } from '@imsg-hub/testkit';
import { call } from './conformance/imsg-conformance.js';
import { spawnSim } from './conformance/sim-target.js';

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string[]; err: string }> {
  await using p = spawnSim(args, env);
  const { code } = await p.exited;
  return { code, out: p.lines, err: p.stderr };
}

test('--version answers wherever it appears, as the version played; bad choices say what is allowed', async () => {
  expect(await run(['--version'])).toMatchObject({ code: 0, out: ['0.15.10'] });
  expect(await run(['rpc', '-V'])).toMatchObject({ code: 0, out: ['0.15.10'] });
  expect(await run(['--imsg-version', '0.9.0', '--version'])).toMatchObject({ code: 0, out: ['0.9.0'] });
  expect(await run(['--version'], { IMSG_SIM_IMSG_VERSION: '0.9.0' })).toMatchObject({ code: 0, out: ['0.9.0'] });
  expect(await run(['--version'], { IMSG_VERSION: '0.15.9' })).toMatchObject({ code: 0, out: ['0.15.9'] });
  const bad = await run(['rpc', '--imsg-version', '0.12.0']);
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('--imsg-version must be one of 0.9.0, 0.15.10');
  const badBridge = await run(['rpc', '--bridge', 'maybe']);
  expect(badBridge.code).toBe(1);
  expect(badBridge.err).toContain('--bridge must be ready or absent');
});

test('inject: their emoji tapback, edit, unsend, typing; read and delivered receipts for our sent message', async () => {
  await using dir = tempDir('sim-v1-cli-');
  const db = dir.join('acct', 'chat.db');
  expect((await run(['init', '--db', db, '--handle', 'me@example.com'])).code).toBe(0);
  const inject = async (...args: string[]) => {
    const r = await run(['inject', '--db', db, '--json', ...args]);
    expect(r.code, r.err).toBe(0);
    return JSON.parse(r.out[0]!) as Record<string, any>;
  };
  const theirs = await inject('--from', '+14155550101', '--text', 'hello');
  await inject('--from', '+14155550101', '--emoji', '🫠', '--target', theirs['guid']);
  await inject('--from', '+14155550101', '--edit', theirs['guid'], '--text', 'hello (edited)');
  const second = await inject('--from', '+14155550101', '--text', 'oops');
  await inject('--from', '+14155550101', '--unsend', second['guid']);
  await inject('--from', '+14155550101', '--typing', 'start');

  await using rpc = spawnSim(['rpc', '--db', db, '--receipt-ms', '10000']);
  const sent = (await call(rpc, 'send', { chat_guid: theirs['chat_guid'], text: 'mine' }))['result'];
  expect((await call(rpc, 'message.send_status', { guid: sent['guid'] }))['result']['send_state']).toBe('pending');
  await inject('--from', '+14155550101', '--delivered', sent['guid']);
  expect((await call(rpc, 'message.send_status', { guid: sent['guid'] }))['result']).toMatchObject({
    send_state: 'delivered',
    status_fields: { date_read: null },
  });
  await inject('--from', '+14155550101', '--read-receipt', sent['guid']);
  expect((await call(rpc, 'message.send_status', { guid: sent['guid'] }))['result']['status_fields']['date_read']).toMatch(/Z$/);
  const history = (await call(rpc, 'messages.history', { chat_id: 1, limit: 10 }))['result']['messages'] as Record<string, any>[];
  expect(history.find((m) => m['guid'] === theirs['guid'])).toMatchObject({ text: 'hello (edited)', reactions: [{ type: 'custom', emoji: '🫠' }] });
  expect(history.find((m) => m['guid'] === second['guid'])!['text']).toBe('');

  const sqlite = new Database(db, { readonly: true });
  try {
    const edited = sqlite.prepare('SELECT text, attributedBody AS body, date_edited > 0 AS e FROM message WHERE guid = ?').get(theirs['guid']) as Record<
      string,
      any
    >;
    expect({ ...edited, body: decodeAttributedBody(edited['body']) }).toEqual({ text: null, body: 'hello (edited)', e: 1 });
    expect(
      sqlite
        .prepare('SELECT associated_message_type AS t, associated_message_emoji AS e FROM message WHERE associated_message_guid = ?')
        .get(`p:0/${theirs['guid']}`),
    ).toEqual({
      t: 2006,
      e: '🫠',
    });
  } finally {
    sqlite.close();
  }
  const bad = await run(['inject', '--db', db, '--from', '+1', '--read-receipt', 'no-such-guid']);
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('sent no message no-such-guid');
});
