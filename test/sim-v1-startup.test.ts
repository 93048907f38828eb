// imsg 0.15 starts without its database and retries it per request (§2.1), and without the IMCore
// bridge answers as 0.15 does when `imsg launch` has not run (--bridge absent, §1.6, §3.23).
import { renameSync, rmSync } from 'node:fs';
import { expect, test } from 'vitest';
import { SimWorld } from '@imsg-hub/sim';
import { tempDir } from '@imsg-hub/testkit';
import { call } from './conformance/imsg-conformance.js';
import { spawnSim } from './conformance/sim-target.js';

type Json = Record<string, any>;

test('no database: status and chats.list each write one JSON line; -32002 until the file appears; a replaced file is a new generation', async () => {
  await using dir = tempDir('sim-v1-nodb-');
  const dbPath = dir.join('me', 'chat.db');
  await using rpc = spawnSim(['rpc', '--db', dbPath]);
  const status = (await call(rpc, 'status'))['result'] as Json;
  expect(status['database']).toEqual({
    path: dbPath,
    ready: false,
    error: 'The configured Messages database does not exist. Create or copy chat.db at this path, then retry.',
  });
  expect(status['methods']).toEqual(expect.arrayContaining(['initialize', 'status', 'watch.unsubscribe', 'send', 'typing', 'read']));
  expect(status['methods']).not.toContain('chats.list');
  expect(status['methods']).not.toContain('watch.subscribe');
  const unavailable = { code: -32002, message: 'Database unavailable', data: { path: dbPath, detail: status['database']['error'], retryable: true } };
  expect((await call(rpc, 'chats.list', {}))['error']).toEqual(unavailable);
  expect((await call(rpc, 'watch.subscribe', {}))['error']).toEqual(unavailable);
  expect((await call(rpc, 'send', { chat_id: 1, text: 'x' }))['error']).toEqual(unavailable);
  expect(rpc.lines.every((l) => JSON.parse(l)['jsonrpc'] === '2.0')).toBe(true);

  const world = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'me/chat.db', handles: ['me@example.com'] }] }, dir.join('world.json'));
  world.inject({ from: '+14155550101', text: 'first file' });
  world.close();
  expect((await call(rpc, 'chats.list', {}))['result']['chats']).toHaveLength(1);
  expect((await call(rpc, 'status'))['result']['database']).toMatchObject({ ready: true, features: { unread_state: true } });

  // Replace the file: new requests read the new generation.
  const other = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'next/chat.db', handles: ['me@example.com'] }] }, dir.join('next.json'));
  other.inject({ from: '+14155550102', text: 'second file' });
  other.inject({ from: '+14155550103', text: 'second file too' });
  other.close();
  for (const s of ['-wal', '-shm']) rmSync(dbPath + s, { force: true });
  renameSync(dir.join('next', 'chat.db'), dbPath);
  const chats = (await call(rpc, 'chats.list', {}))['result']['chats'] as Json[];
  expect(chats.map((c) => c['identifier']).sort()).toEqual(['+14155550102', '+14155550103']);
  rmSync(dbPath);
  expect((await call(rpc, 'chats.list', {}))['error']['code']).toBe(-32002);
  rpc.endInput();
  expect((await rpc.exited).code).toBe(0);
});

test('--bridge absent: no bridge methods or emoji capability; bridge mutations not_started, bridge reads -32003, AppleScript carries sends', async () => {
  await using dir = tempDir('sim-v1-nobridge-');
  const world = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'chat.db', handles: ['me@example.com'] }] }, dir.join('w.json'));
  const first = world.inject({ from: '+14155550101', text: 'hello' });
  world.close();
  await using rpc = spawnSim(['rpc', '--db', dir.join('chat.db'), '--bridge', 'absent']);
  const status = (await call(rpc, 'initialize', { protocol_version: 1 }))['result'] as Json;
  expect(status['bridge']).toEqual({ ready: false, error: 'The bridge is not started. Run imsg launch explicitly before using bridge methods.' });
  expect(status['capabilities']['features']).toEqual({});
  for (const m of ['tapback', 'send.rich', 'send.tracked', 'handles.check', 'bridge.events.subscribe', 'group.rename'])
    expect(status['methods']).not.toContain(m);
  expect(status['methods']).toEqual(expect.arrayContaining(['send', 'typing', 'read', 'chats.list', 'watch.subscribe']));

  const target = { chat_guid: first.chatGuid, message_id: first.guid };
  expect((await call(rpc, 'tapback', { ...target, reaction: 'like' }))['error']).toEqual({
    code: -32603,
    message: 'Delivery failed before dispatch',
    data: {
      retry_safe: true,
      disposition: 'not_started',
      transport: 'bridge_v2',
      operation: 'send-reaction',
      detail: 'The bridge ready lock is absent. Run imsg launch explicitly before retrying.',
    },
  });
  expect((await call(rpc, 'handles.check', { address: '+14155550101' }))['error']).toEqual({
    code: -32003,
    message: 'Bridge unavailable',
    data: { detail: 'The bridge is not started. Run imsg launch explicitly before using bridge methods.', retryable: true },
  });
  expect((await call(rpc, 'bridge.events.subscribe', {}))['error']).toMatchObject({
    code: -32003,
    message: 'Bridge events unavailable',
    data: { retryable: true },
  });
  expect((await call(rpc, 'send', { chat_guid: first.chatGuid, text: 'via applescript' }))['result']).toMatchObject({
    ok: true,
    transport: 'applescript',
    id: expect.any(Number),
  });
  expect((await call(rpc, 'send', { chat_guid: first.chatGuid, text: 'x', transport: 'bridge' }))['error']).toMatchObject({
    code: -32603,
    data: { disposition: 'not_started', operation: 'send-message' },
  });
  expect(
    (await call(rpc, 'send.tracked', { attempt_id: '9c5b94b1-35ad-49bb-b118-8e8fc24abf80', chat_guid: first.chatGuid, text: 'x' }))['error'],
  ).toMatchObject({
    code: -32602,
    data: 'bridge transport requires an existing chat target',
  });
  expect((await call(rpc, 'typing', { chat_guid: first.chatGuid }))['result']).toEqual({ ok: true });

  await using cli = spawnSim(['status', '--json', '--bridge', 'absent']);
  await cli.exited;
  const payload = JSON.parse(cli.lines[0]!) as Json;
  expect(payload).toMatchObject({ advanced_features: false, v2_ready: false, bridge_version: 0, selectors: {}, capabilities: { features: {} } });
  expect(payload['rpc_methods']).not.toContain('send.tracked');
});
