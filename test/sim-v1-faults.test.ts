// The test-only fault switch of imsg-sim 0.15 (docs/simulator.md): a send that ends not_started,
// may_have_completed or still_in_flight (then -32004 until restart), an unreadable database, a
// watch that goes silent while rows keep arriving, and slow reads answered out of order.
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SimWorld } from '@imsg-hub/sim';
import { tempDir, waitFor, type LineProcess } from '@imsg-hub/testkit';
import { call } from './conformance/imsg-conformance.js';
import { spawnSim } from './conformance/sim-target.js';

type Json = Record<string, any>;

describe('imsg-sim 0.15 faults', () => {
  let dir: ReturnType<typeof tempDir>;
  let world: SimWorld;
  let rpc: LineProcess;
  let faults: string;
  let chatGuid: string;
  const fault = (value: Record<string, unknown>) => writeFileSync(faults, JSON.stringify(value));
  const count = (text: string) => {
    const db = new Database(world.info('me').dbPath, { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM message WHERE is_from_me = 1 AND text = ?').get(text) as { n: number }).n;
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    dir = tempDir('sim-v1-faults-');
    world = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'me/chat.db', handles: ['me@example.com'] }] }, dir.join('world.json'));
    chatGuid = world.inject({ from: '+14155550101', text: 'hello' }).chatGuid;
    faults = dir.join('faults.json');
    rpc = spawnSim(['rpc', '--db', world.info('me').dbPath, '--poll-ms', '100', '--faults', faults]);
  });
  afterEach(async () => {
    await rpc[Symbol.asyncDispose]();
    world.close();
    await dir[Symbol.asyncDispose]();
  });

  test('next_send not_started: nothing written, retry-safe; under transport auto AppleScript carries it instead', async () => {
    fault({ next_send: 'not_started' });
    const failed = await call(rpc, 'send', { chat_guid: chatGuid, text: 'first try', transport: 'bridge' });
    expect(failed['error']).toEqual({
      code: -32603,
      message: 'Delivery failed before dispatch',
      data: { retry_safe: true, disposition: 'not_started', transport: 'bridge_v2', operation: 'send-message', detail: expect.any(String) },
    });
    expect(count('first try')).toBe(0);
    expect((await call(rpc, 'send', { chat_guid: chatGuid, text: 'first try' }))['result']).toMatchObject({ ok: true, transport: 'bridge' });
    expect(count('first try')).toBe(1);
    // A bridge failure proved not started falls back to AppleScript under `auto` (never a tracked send).
    fault({ next_send: 'not_started' });
    expect((await call(rpc, 'send', { chat_guid: chatGuid, text: 'fell back' }))['result']).toMatchObject({
      ok: true,
      transport: 'applescript',
      id: expect.any(Number),
    });
    expect(count('fell back')).toBe(1);
  });

  test('next_send may_have_completed: -32001, the message did go out once, and send_status proves it', async () => {
    fault({ next_send: 'may_have_completed' });
    const attempt = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    const failed = await call(rpc, 'send.tracked', { attempt_id: attempt, chat_guid: chatGuid, text: 'maybe' });
    expect(failed['error']).toMatchObject({
      code: -32001,
      message: 'Delivery outcome unknown',
      data: { retry_safe: false, disposition: 'may_have_completed' },
    });
    expect(count('maybe')).toBe(1);
    const status = await waitFor(async () => {
      const s = (await call(rpc, 'message.send_status', { guid: attempt }))['result'] as Json;
      return s['send_state'] !== 'pending' ? s : undefined;
    });
    expect(status['send_state']).toBe('sent');
    // Not poisoned: the next mutation runs.
    expect((await call(rpc, 'typing', { chat_guid: chatGuid }))['result']).toEqual({ ok: true });
  });

  test('next_send still_in_flight over AppleScript: -32001, then -32004 for every mutation; reads and watch keep working', async () => {
    fault({ next_send: 'still_in_flight' });
    const failed = await call(rpc, 'send', { to: '+14155550188', text: 'in flight' });
    expect(failed['error']).toMatchObject({ code: -32001, data: { disposition: 'still_in_flight', transport: 'applescript', operation: 'send' } });
    const blocked = await call(rpc, 'send', { to: '+14155550188', text: 'after' });
    expect(blocked['error']).toEqual({
      code: -32004,
      message: 'Mutation lane blocked',
      data: {
        retry_safe: false,
        disposition: 'still_in_flight',
        transport: 'applescript',
        operation: 'send',
        detail: 'A prior send remains in flight. Restart the RPC child before sending another mutation.',
      },
    });
    expect((await call(rpc, 'tapback', { chat_guid: chatGuid, message_id: 'x', reaction: 'like' }))['error']['code']).toBe(-32004);
    expect((await call(rpc, 'chats.list', {}))['result']['chats']).toHaveLength(1);
    expect((await call(rpc, 'watch.subscribe', {}))['result']).toMatchObject({ subscription: 1 });
    await waitFor(() => count('in flight') === 1);
    expect(count('after')).toBe(0);
  });

  test('database unavailable: status says so, reads answer -32002, and recover when the fault clears', async () => {
    fault({ database: 'unavailable' });
    const status = (await call(rpc, 'status'))['result'] as Json;
    expect(status['database']).toEqual({ path: world.info('me').dbPath, ready: false, error: expect.stringContaining('could not be opened read-only') });
    expect(status['methods']).not.toContain('chats.list');
    expect((await call(rpc, 'chats.list', {}))['error']).toEqual({
      code: -32002,
      message: 'Database unavailable',
      data: { path: world.info('me').dbPath, detail: status['database']['error'], retryable: true },
    });
    fault({});
    expect((await call(rpc, 'chats.list', {}))['result']['chats']).toHaveLength(1);
  });

  test('silent watch: rows keep arriving but the subscription stops emitting; a new one after the fault replays them', async () => {
    const { subscription } = (await call(rpc, 'watch.subscribe', { debounce_ms: 0 }))['result'];
    world.inject({ from: '+14155550101', text: 'before silence' });
    await rpc.nextJson<Json>((v) => v['method'] === 'message' && v['params']['message']['text'] === 'before silence');
    fault({ watch: 'silent' });
    const last = world.inject({ from: '+14155550101', text: 'during silence' }).rows[0]!.rowid;
    // Two fallback polls (100 ms) and a file event have passed: a live watch would have emitted.
    await sleep(600);
    expect(rpc.lines.some((l) => l.includes('during silence'))).toBe(false);
    expect(((await call(rpc, 'messages.after', { since_rowid: last - 1 }))['result']['messages'] as Json[])[0]!['text']).toBe('during silence');
    fault({});
    const fresh = (await call(rpc, 'watch.subscribe', { since_rowid: last - 1 }))['result']['subscription'];
    const n = await rpc.nextJson<Json>((v) => v['method'] === 'message' && v['params']['subscription'] === fresh);
    expect(n['params']['message']['text']).toBe('during silence');
    expect(fresh).toBe(subscription + 1);
  });

  test('slow reads answer out of order; the read lane runs four at a time', async () => {
    fault({ slow_reads: { ms: 400, methods: ['chats.list'] } });
    rpc.writeJson({ jsonrpc: '2.0', id: 'slow', method: 'chats.list', params: {} });
    rpc.writeJson({ jsonrpc: '2.0', id: 'fast', method: 'messages.after', params: { since_rowid: 0 } });
    const first = await rpc.nextJson<Json>((v) => v['id'] === 'slow' || v['id'] === 'fast');
    expect(first['id']).toBe('fast');
    await rpc.nextJson<Json>((v) => v['id'] === 'slow');
  });
});

describe('imsg-sim 0.15 limits', () => {
  test('128 outstanding requests, then -32000; 64 subscriptions, then -32000', async () => {
    await using dir = tempDir('sim-v1-limits-');
    const world = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'chat.db', handles: ['me@example.com'] }] }, dir.join('w.json'));
    world.close();
    writeFileSync(dir.join('faults.json'), JSON.stringify({ slow_reads: { ms: 100 } }));
    await using rpc = spawnSim(['rpc', '--db', dir.join('chat.db'), '--faults', dir.join('faults.json')]);
    await call(rpc, 'initialize', {});
    rpc.writeRaw(Array.from({ length: 140 }, (_, i) => JSON.stringify({ jsonrpc: '2.0', id: i, method: 'chats.list' })).join('\n') + '\n');
    const answers = (await rpc.collectLines(140, undefined, 20_000)).map((l) => JSON.parse(l) as Json);
    const busy = answers.filter((a) => a['error']?.['code'] === -32000);
    expect(busy.length).toBeGreaterThanOrEqual(12);
    expect(busy[0]!['error']).toEqual({ code: -32000, message: 'Server busy', data: 'outstanding request limit exceeded' });
    expect(answers.filter((a) => a['result']).length + busy.length).toBe(140);

    const ids: number[] = [];
    for (let i = 0; i < 64; i++) ids.push((await call(rpc, 'watch.subscribe', {}))['result']['subscription']);
    expect(ids).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    expect((await call(rpc, 'watch.subscribe', {}))['error']).toEqual({ code: -32000, message: 'Server busy', data: 'subscription limit exceeded' });
    await call(rpc, 'watch.unsubscribe', { subscription: 3 });
    expect((await call(rpc, 'watch.subscribe', {}))['result']['subscription']).toBe(65);
  }, 40_000);
});
