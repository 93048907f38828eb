import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { RpcError } from '@imsg-hub/jsonrpc';
import type { ImsgSession } from '@imsg-hub/imsg-protocol';
import { tempDir, waitFor, type TempDir } from '@imsg-hub/testkit';
import { ChatDbReader } from './chat-db-reader.js';
import { SimBackend } from './sim-backend.js';
import { SimWorld } from './world.js';

type Json = Record<string, any>;

let dir: TempDir;
let world: SimWorld;
let backend: SimBackend;
const notes: { method: string; params: Json }[] = [];
const session: ImsgSession = { notify: (method, params) => notes.push({ method, params: params as Json }) };

beforeEach(() => {
  dir = tempDir('sim-backend-');
  notes.length = 0;
  world = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'chat.db', handles: ['me@example.com'] }] }, dir.join('w.json'));
  world.inject({ from: '+14155550101', text: 'one' });
  world.inject({ from: '+14155550101', text: 'two' });
  const opened = SimWorld.forDb(dir.join('chat.db'));
  backend = new SimBackend({ reader: new ChatDbReader(dir.join('chat.db')), world: opened.world, account: opened.account, pollMs: 50 });
});
afterEach(async () => {
  backend.close();
  world.close();
  await dir[Symbol.asyncDispose]();
});

const call = (method: string, params: Json = {}) => backend.handle(method, params, session) as Json;
function rpcError(method: string, params: Json): { code: number; data: unknown } {
  try {
    call(method, params);
  } catch (err) {
    return { code: (err as RpcError).code, data: (err as RpcError).data };
  }
  throw new Error(`${method} did not fail`);
}
const texts = () => notes.filter((n) => n.method === 'message').map((n) => n.params['message']['text']);

describe('param coercions (§1.7) through the backend', () => {
  test('numeric strings, CSV participants, bool strings and numbers', () => {
    expect(call('messages.history', { chat_id: '1', limit: '1' })['messages']).toHaveLength(1);
    expect(call('messages.history', { chat_id: 1.9, participants: '+14155550101, nobody' })['messages']).toHaveLength(2);
    expect(call('messages.history', { chat_id: 1, participants: ['NOBODY'] })['messages']).toHaveLength(0);
    expect(call('messages.history', { chat_id: 1, attachments: 'true' })['messages']).toHaveLength(2);
    expect(call('chats.list', { limit: -5 })['chats']).toHaveLength(1);
    expect(rpcError('messages.history', { chat_id: null })).toEqual({ code: -32602, data: 'chat_id is required' });
    expect(rpcError('messages.history', { chat_id: 1, end: '' })).toEqual({ code: -32603, data: 'Invalid ISO8601 date: ' });
  });
});

describe('watch.subscribe', () => {
  test('since_rowid: absent → only new rows; N → after N; negative → whole table', async () => {
    const live = call('watch.subscribe', { debounce_ms: 0 })['subscription'];
    const after1 = call('watch.subscribe', { since_rowid: '1', debounceMs: '0' })['subscription'];
    const all = call('watch.subscribe', { since_rowid: -1 })['subscription'];
    expect([live, after1, all]).toEqual([1, 2, 3]);
    world.inject({ from: '+14155550101', text: 'three' });
    const of = (sub: number) => notes.filter((n) => n.params['subscription'] === sub).map((n) => n.params['message']['text']);
    await waitFor(() => of(all).length === 3 && of(after1).length === 2 && of(live).length === 1);
    expect(of(live)).toEqual(['three']);
    expect(of(after1)).toEqual(['two', 'three']);
    expect(of(all)).toEqual(['one', 'two', 'three']);
    expect(call('watch.unsubscribe', { subscription: String(all) })).toEqual({ ok: true });
  });

  test('a backlog of thousands of rows drains in one poll cycle', async () => {
    call('watch.subscribe', { debounce_ms: 10 });
    world.injectMany(Array.from({ length: 2500 }, (_, i) => ({ from: '+14155550101', text: `b${i}` })));
    await waitFor(() => texts().length === 2500, 10_000);
    expect(texts().at(-1)).toBe('b2499');
  });

  test('a read error sends one error notification and stops the subscription', async () => {
    const sub = call('watch.subscribe', { debounce_ms: 0 })['subscription'];
    const db = new Database(dir.join('chat.db'));
    db.exec('DROP TABLE message');
    db.close();
    const err = await waitFor(() => notes.find((n) => n.method === 'error'));
    expect(err.params).toEqual({ subscription: sub, error: { message: expect.stringContaining('message') } });
    await new Promise((r) => setTimeout(r, 150));
    expect(notes.filter((n) => n.method === 'error')).toHaveLength(1);
  });
});

describe('send', () => {
  test('normalises phones to E.164, auto → iMessage, returns the row', () => {
    const sent = call('send', { to: '(415) 555-0199', text: 'hey', service: 'auto' });
    expect(sent).toEqual({ ok: true, transport: 'applescript', id: expect.any(Number), guid: expect.stringMatching(/^[0-9A-F-]{36}$/) });
    expect(world.account('me').messageByGuid(sent['guid'])).toMatchObject({ chatGuid: 'iMessage;-;+14155550199', handle: '+14155550199', service: 'iMessage' });
    const sms = call('send', { to: '020 7946 0018', region: 'GB', text: 'cheers', service: 'sms' });
    expect(world.account('me').messageByGuid(sms['guid'])).toMatchObject({ chatGuid: 'SMS;-;+442079460018', service: 'SMS' });
  });

  test('a file-only send has no id/guid; a missing file is AppleScript’s error', () => {
    const file = dir.join('note.txt');
    writeFileSync(file, 'x');
    expect(call('send', { chat_id: 1, file })).toEqual({ ok: true, transport: 'applescript' });
    expect(rpcError('send', { chat_id: 1, file: dir.join('gone.txt'), text: 'x' })).toEqual({
      code: -32603,
      data: `AppleScript failed: Attachment not found at ${dir.join('gone.txt')}`,
    });
    expect(world.account('me').countOutgoing('x')).toBe(0);
  });

  test('bridge transport and bridge-only methods answer as imsg without the bridge', () => {
    expect(rpcError('send', { to: '+14155550000', text: 'x', transport: 'BRIDGE' })).toEqual({
      code: -32602,
      data: 'bridge transport requires an existing chat target',
    });
    expect(rpcError('send', { chat_id: 1, text: 'x', file: 'y', transport: 'bridge' })).toEqual({
      code: -32602,
      data: 'bridge transport does not support text and file together',
    });
    expect(rpcError('send', { chat_id: 1, text: 'x', transport: 'bridge' }).code).toBe(-32603);
    expect(rpcError('tapback', {}).code).toBe(-32603);
    expect(rpcError('ping', {})).toEqual({ code: -32601, data: 'ping' });
    expect(rpcError('typing', { chat_id: 42 })).toEqual({ code: -32602, data: 'unknown chat_id 42' });
    expect(rpcError('typing', { to: '+1', service: 'fax' })).toEqual({ code: -32602, data: 'invalid service' });
    expect(call('typing', { to: '+14155550101', typing: false, service: 'IMESSAGE' })).toEqual({ ok: true });
  });
});
