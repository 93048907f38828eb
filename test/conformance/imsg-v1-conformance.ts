// A conformance suite for anything that claims to be imsg 0.15 (`imsg rpc`, protocol v1): the
// behaviours reference/imsg-protocol-v1.md describes and openclaw/imsg's tests assert. Run against
// imsg-sim here; any v1 facade can reuse it with its own target.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ChatDetailSchema,
  ImsgChatV1Schema,
  ImsgMessageV1Schema,
  MessagesAfterResultSchema,
  SendStatusResultSchema,
  SendV1ResultSchema,
  StatusResultSchema,
} from '@imsg-hub/imsg-protocol';
import type { LineProcess } from '@imsg-hub/testkit';
import { call } from './imsg-conformance.js';

export interface V1ConformanceFixture {
  /** A group chat holding `messageId` (an incoming message). */
  groupChatId: number;
  groupChatGuid: string;
  messageId: number;
  messageGuid: string;
  unknownChatId: number;
  /** A handle with no chat yet: a direct send to it goes out over AppleScript. */
  directHandle: string;
}

/**
 * What a target claims beyond the core of protocol v1 (all of it by default: imsg itself). A facade
 * that answers from elsewhere names what it does not do; those checks are skipped, never loosened.
 */
export interface V1Claims {
  /** A running IMCore bridge: tapbacks, `advanced_features`, `tapback.emoji` 2. */
  bridge: boolean;
  /** chat.db read state: `unread_count`, `unread_only`, `is_read`. */
  readState: boolean;
  /** `watch.overflow` when a subscription's buffer fills. */
  overflow: boolean;
  /** send's `transport` is the path imsg took (AppleScript to a new handle, the bridge into a chat). */
  transportChoice: boolean;
  /** `send.tracked` makes the attempt id the message guid. */
  trackedGuid: boolean;
  /** Methods it does not implement (answered -32601). */
  unimplemented: readonly string[];
}

const ALL_CLAIMS: V1Claims = { bridge: true, readState: true, overflow: true, transportChoice: true, trackedGuid: true, unimplemented: [] };

export interface V1ConformanceTarget extends AsyncDisposable {
  readonly fixture: V1ConformanceFixture;
  /** What it claims (default: everything). */
  readonly claims?: Partial<V1Claims>;
  /** Spawns `... rpc` speaking protocol v1 on stdio, the bridge running. */
  spawnRpc(): LineProcess;
  spawnCli(args: readonly string[]): LineProcess;
  /** Writes `count` new incoming messages into the group chat. */
  injectMessages(count: number, text: string): Promise<void>;
}

type Json = Record<string, any>;

async function result(p: LineProcess, method: string, params: unknown = {}): Promise<Json> {
  const answer = await call(p, method, params);
  expect(answer['error'], `${method} failed: ${JSON.stringify(answer['error'])}`).toBeUndefined();
  return answer['result'] as Json;
}

async function errorOf(p: LineProcess, method: string, params: unknown = {}): Promise<Json> {
  const answer = await call(p, method, params);
  expect(answer['result'], `${method} unexpectedly succeeded`).toBeUndefined();
  return answer['error'] as Json;
}

/**
 * Writes `line`, then a marker on the control lane and one on the read lane (answers may come out
 * of order across lanes); returns every answer that is not a marker's once both markers answered,
 * waiting for at least `expected` of them (a read may be answered after the markers).
 */
async function answersTo(p: LineProcess, line: string, expected = 0): Promise<Json[]> {
  const marker = `marker-${Math.random()}`;
  p.writeLine(line);
  p.writeJson({ jsonrpc: '2.0', id: `${marker}-c`, method: 'initialize', params: {} });
  p.writeJson({ jsonrpc: '2.0', id: `${marker}-r`, method: 'status' });
  const got: Json[] = [];
  const isMarker = (v: Json) => typeof v['id'] === 'string' && v['id'].startsWith(marker);
  for (let markers = 0; markers < 2; ) {
    const v = await p.nextJson<Json>();
    if (isMarker(v)) markers++;
    else got.push(v);
  }
  while (p.pending.length > 0) got.push(JSON.parse(await p.nextLine()) as Json);
  while (got.filter((v) => !('method' in v)).length < expected) got.push(await p.nextJson<Json>((v) => !isMarker(v)));
  return got.filter((v) => !('method' in v));
}

export function describeImsgV1Conformance(label: string, makeTarget: () => Promise<V1ConformanceTarget>): void {
  describe(`imsg rpc v1 conformance: ${label}`, () => {
    let target: V1ConformanceTarget;
    let rpc: LineProcess;
    let claims: V1Claims = ALL_CLAIMS;
    beforeAll(async () => {
      target = await makeTarget();
      claims = { ...ALL_CLAIMS, ...target.claims };
      rpc = target.spawnRpc();
    });
    afterAll(async () => {
      await rpc?.[Symbol.asyncDispose]();
      await target?.[Symbol.asyncDispose]();
    });

    test('initialize negotiates version 1 strictly and idempotently; status accepts no keys (§1.3)', async () => {
      const first = await result(rpc, 'initialize', { protocol_version: 1 });
      expect(StatusResultSchema.parse(first)).toMatchObject({ protocol_version: 1, database: { ready: true }, bridge: { ready: claims.bridge } });
      expect(first['supported_methods']).toEqual(expect.arrayContaining(first['methods']));
      if (claims.bridge) expect(first['capabilities']['features']['tapback.emoji']).toBe(2);
      expect(Object.keys(first['database']['features']).sort()).toEqual([
        'balloon_payloads',
        'reactions',
        'reply_context',
        'routing_metadata',
        'scheduled_messages',
        'unread_state',
      ]);
      expect(await result(rpc, 'initialize')).toMatchObject({ protocol_version: 1, methods: first['methods'] });
      expect(await errorOf(rpc, 'initialize', { protocol_version: 2 })).toEqual({
        code: -32602,
        message: 'Invalid params',
        data: 'unsupported protocol_version 2; supported version is 1',
      });
      expect(await errorOf(rpc, 'status', { verbose: true })).toMatchObject({ code: -32602, data: 'unknown status param: verbose' });
      expect(await result(rpc, 'status')).toMatchObject({ version: first['version'], protocol_version: 1 });
    });

    test('strict framing: jsonrpc required, ids typed, params an object, notifications silent (§2.2)', async () => {
      expect(await answersTo(rpc, '{"id":"missing-version","method":"chats.list"}')).toEqual([
        { jsonrpc: '2.0', id: 'missing-version', error: { code: -32600, message: 'Invalid Request', data: 'jsonrpc must be exactly 2.0' } },
      ]);
      for (const id of ['true', '{}', '[]']) {
        expect(await answersTo(rpc, `{"jsonrpc":"2.0","id":${id},"method":"chats.list"}`)).toEqual([
          { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request', data: 'id must be a string, number, or null' } },
        ]);
      }
      expect(await answersTo(rpc, '{"jsonrpc":"2.0","id":9,"method":"chats.list","params":[]}')).toEqual([
        { jsonrpc: '2.0', id: 9, error: { code: -32602, message: 'Invalid params', data: 'params must be an object when present' } },
      ]);
      for (const silent of [
        '{"jsonrpc":"2.0","method":"chats.list","params":{"limit":1}}',
        '{"jsonrpc":"2.0","method":"watch.subscribe","params":{"chat_id":"bogus"}}',
        '{"jsonrpc":"2.0","method":"missing.method","params":{}}',
        '{"jsonrpc":"2.0","method":"chats.list","params":[]}',
      ]) {
        expect(await answersTo(rpc, silent), silent).toEqual([]);
      }
      expect(await answersTo(rpc, '{"jsonrpc":"2.0","id":null,"method":"chats.list","params":{"limit":1}}', 1)).toMatchObject([{ id: null, result: {} }]);
      expect(await answersTo(rpc, 'not-json')).toMatchObject([{ id: null, error: { code: -32700 } }]);
      expect(await answersTo(rpc, '[]')).toMatchObject([{ id: null, error: { code: -32600, data: 'request must be an object' } }]);
      expect(await answersTo(rpc, '{"jsonrpc":"2.0","id":"u","method":"nope"}')).toEqual([
        { jsonrpc: '2.0', id: 'u', error: { code: -32601, message: 'Method not found', data: 'nope' } },
      ]);
    });

    test.each([
      ['messages.history', { chat_id: 1, extra: true }, 'unknown messages.history param: extra'],
      ['watch.subscribe', { chatId: 1 }, 'unknown watch.subscribe param: chatId'],
      ['messages.history', { chat_id: '1' }, 'chat_id must be an integer'],
      ['messages.history', { chat_id: true }, 'chat_id must be an integer'],
      ['messages.history', { chat_id: 0 }, 'chat_id must be a positive integer'],
      ['messages.history', {}, 'chat_id is required'],
      ['messages.history', { chat_id: 1, limit: 0 }, 'limit must be a positive integer'],
      ['messages.history', { chat_id: 1, start: 'not-a-date' }, 'Invalid ISO8601 date: not-a-date'],
      ['chats.list', { limit: false }, 'limit must be an integer'],
      ['chats.list', { limit: -1 }, 'limit must be a positive integer'],
      ['chats.list', { unread_only: 1 }, 'unread_only must be a boolean'],
      ['chats.list', { unread_only: false, unreadOnly: false }, 'use only one of unread_only, unreadOnly'],
      ['chats.list', { limit: null }, 'limit must not be null'],
      ['watch.subscribe', { participants: ['+123', 1] }, 'participants must be an array of strings'],
      ['watch.subscribe', { attachments: 'false' }, 'attachments must be a boolean'],
      ['watch.subscribe', { buffer_limit: 0 }, 'buffer_limit must be an integer between 1 and 4096'],
      ['watch.subscribe', { buffer_limit: 4097 }, 'buffer_limit must be an integer between 1 and 4096'],
      ['watch.subscribe', { buffer_limit: 2, bufferLimit: 2 }, 'use only one of buffer_limit, bufferLimit'],
      ['watch.subscribe', { end: 'still-not-a-date' }, 'Invalid ISO8601 date: still-not-a-date'],
      ['watch.unsubscribe', { subscription: 0 }, 'subscription must be a positive integer'],
      ['messages.after', {}, 'since_rowid must be an integer'],
      ['messages.after', { since_rowid: 1.5 }, 'since_rowid must be an integer'],
      ['messages.after', { since_rowid: 0, chat_id: 0 }, 'chat_id must be a positive integer'],
      ['messages.after', { since_rowid: 0, limit: 501 }, 'limit must be an integer between 1 and 500'],
      ['messages.search', { query: '   ' }, 'query is required'],
      ['chats.get', { chat_id: 999_999 }, 'Chat not found: 999999'],
      ['send', { to: '+123', text: 'hi', attempt_id: 'x' }, 'attempt_id is only supported by send.tracked'],
      ['send', { to: '+123', chat_id: 1, text: 'hi' }, 'use to or exactly one chat selector; not both'],
      ['send', { chat_id: 1, chat_guid: 'g', text: 'hi' }, 'exactly one of chat_id, chat_identifier, or chat_guid is required'],
      ['send', { to: '+123', text: 'hi', allow_sms_fallback: 1 }, 'allow_sms_fallback must be a boolean'],
      ['send', { to: '+123', text: 'hi', reply_to: 'a', replyTo: 'a' }, 'use only one of reply_to, replyTo, reply_to_guid, message_guid'],
      ['send', { to: '+15551234567' }, 'text or file is required'],
      ['send', { to: '+15551234567', text: 'hi', service: 'iMessage' }, 'invalid service'],
      ['send.tracked', { to: '+15551234567', text: 'hi', attempt_id: 'not-a-uuid' }, 'attempt_id must be a UUID'],
      ['send.tracked', { to: '+15551234567', attempt_id: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' }, 'text or file is required'],
      ['tapback', { chat_id: 1, message_id: 'm', reaction: 'like', kind: 'like' }, 'use only one of reaction, kind'],
      ['tapback', { chat_id: 1, reaction: 'like' }, 'message_id or message_guid is required'],
      ['message.edit', { chat_id: 1, message_id: 'm', text: 'x', newText: 'x' }, 'use only one of text, new_text, newText, edited_message'],
      ['message.delete', { chat_id: 1, message_id: 'm', part_index: 0 }, 'unknown message.delete param: part_index'],
      ['send.multipart', { chat_id: 1, parts: [{ text: 'hi', extra: true }] }, 'unknown send.multipart parts[0] param: extra'],
      ['read', { to: '' }, 'to must be a non-empty string'],
      ['typing', { to: '+123', service: 'fax' }, 'fax'],
      ['handles.check', { address: '' }, 'address is required'],
      ['handles.check', { address: '+1', service: 'SMS' }, 'handles.check only supports service iMessage'],
      ['chats.create', { addresses: ['+123'], service: 'sms' }, 'service must be iMessage'],
    ])('%s %j → -32602 %s', async (method, params, data) => {
      if (claims.unimplemented.includes(method)) {
        expect(await errorOf(rpc, method, params)).toEqual({ code: -32601, message: 'Method not found', data: method });
        return;
      }
      expect(await errorOf(rpc, method, params)).toEqual({ code: -32602, message: 'Invalid params', data });
    });

    test('a malformed subscribe consumes no subscription id (rpcMalformedWatchParamsDoNotAllocateSubscription)', async () => {
      const a = (await result(rpc, 'watch.subscribe', {}))['subscription'] as number;
      await errorOf(rpc, 'watch.subscribe', { buffer_limit: true });
      const b = await result(rpc, 'watch.subscribe', { buffer_limit: 8 });
      expect(b).toEqual({ subscription: a + 1, buffer_limit: 8 });
      expect(await result(rpc, 'watch.unsubscribe', { subscription: a })).toEqual({ ok: true });
      expect(await result(rpc, 'watch.unsubscribe', { subscription: a + 1 })).toEqual({ ok: true });
      expect(await result(rpc, 'watch.unsubscribe', { subscription: 999_999 })).toEqual({ ok: true });
    });

    test('chats.list and chats.get carry 0.15’s chat fields (§4.1–4.2)', async () => {
      const { chats } = await result(rpc, 'chats.list', { limit: 10 });
      const group = (chats as Json[]).find((c) => c['id'] === target.fixture.groupChatId)!;
      expect(ImsgChatV1Schema.parse(group)).toMatchObject({ guid: target.fixture.groupChatGuid, is_group: true, display_name: expect.any(String) });
      if (claims.readState) {
        expect(typeof group['unread_count']).toBe('number');
        const unread = (await result(rpc, 'chats.list', { unread_only: true }))['chats'] as Json[];
        expect(unread.every((c) => c['unread_count'] > 0)).toBe(true);
      } else {
        expect(group).not.toHaveProperty('unread_count');
      }
      const detail = await result(rpc, 'chats.get', { chat_id: target.fixture.groupChatId });
      expect(ChatDetailSchema.parse(detail)).toMatchObject({ id: target.fixture.groupChatId, guid: target.fixture.groupChatGuid, is_group: true });
      expect(detail).not.toHaveProperty('last_message_at');
    });

    test('messages.after pages in ROWID order with an authoritative next_rowid (§3.5)', async () => {
      const empty = await result(rpc, 'messages.after', { since_rowid: 999_999 });
      expect(empty).toEqual({ messages: [], next_rowid: 999_999, has_more: false });
      const seen: number[] = [];
      let cursor = 0;
      for (let pages = 0; pages < 1000; pages++) {
        const page = MessagesAfterResultSchema.parse(await result(rpc, 'messages.after', { since_rowid: cursor, limit: 2 }));
        seen.push(...page.messages.map((m) => m.id));
        expect(page.next_rowid).toBeGreaterThanOrEqual(cursor);
        cursor = page.next_rowid;
        if (!page.has_more) break;
      }
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen).toContain(target.fixture.messageId);
      const inChat = await result(rpc, 'messages.after', { since_rowid: -1, chat_id: target.fixture.groupChatId, limit: 500 });
      expect((inChat['messages'] as Json[]).every((m) => m['chat_id'] === target.fixture.groupChatId)).toBe(true);
    });

    test('history and search return 0.15 message payloads (§3.4, §3.6)', async () => {
      const { messages } = await result(rpc, 'messages.history', { chat_id: target.fixture.groupChatId, limit: 5 });
      for (const m of messages as Json[]) ImsgMessageV1Schema.parse(m);
      const incoming = (messages as Json[]).find((m) => m['id'] === target.fixture.messageId)!;
      if (claims.readState) expect(typeof incoming['is_read']).toBe('boolean');
      else expect(incoming).not.toHaveProperty('is_read');
      const found = await result(rpc, 'messages.search', { query: String(incoming['text']).toUpperCase(), limit: 5 });
      expect((found['messages'] as Json[]).some((m) => m['guid'] === target.fixture.messageGuid && m['attachments'].length === 0)).toBe(true);
      expect(await errorOf(rpc, 'messages.search', { query: 'x', match: 'prefix' })).toMatchObject({ code: -32602 });
    });

    test('watch: response first, buffer_limit echoed, replay with -1, terminal watch.overflow, unsubscribe final (§3.9)', async (ctx) => {
      if (!claims.overflow) ctx.skip();
      await target.injectMessages(5, `overflow ${Date.now()}`);
      const sub = await result(rpc, 'watch.subscribe', { since_rowid: -1, buffer_limit: 1, debounce_ms: 0 });
      expect(sub['buffer_limit']).toBe(1);
      const id = sub['subscription'] as number;
      const overflow = await rpc.nextJson<Json>((v) => v['method'] === 'watch.overflow' && v['params']['subscription'] === id);
      expect(overflow['params']).toEqual({ subscription: id, resume_after_rowid: expect.any(Number), reason: 'buffer_limit_exceeded', terminal: true });
      const delivered = rpc.lines
        .map((l) => JSON.parse(l) as Json)
        .filter((v) => v['method'] === 'message' && v['params']['subscription'] === id)
        .map((v) => v['params']['message']['id'] as number);
      // Everything buffered was delivered first; the resume point is the last one, never past a dropped row.
      expect(delivered.length).toBeGreaterThanOrEqual(1);
      expect(overflow['params']['resume_after_rowid']).toBe(delivered.at(-1));
      const next = await result(rpc, 'messages.after', { since_rowid: overflow['params']['resume_after_rowid'], limit: 500 });
      expect((next['messages'] as Json[]).length).toBeGreaterThan(0);
      expect(await result(rpc, 'watch.unsubscribe', { subscription: id })).toEqual({ ok: true });
    });

    test('watch delivers a live row; nothing for it follows the unsubscribe answer (§3.10)', async () => {
      const { subscription } = await result(rpc, 'watch.subscribe', { debounce_ms: 10 });
      const text = `live v1 ${Date.now()}`;
      await target.injectMessages(1, text);
      const n = await rpc.nextJson<Json>((v) => v['method'] === 'message' && v['params']['subscription'] === subscription);
      expect(ImsgMessageV1Schema.parse(n['params']['message'])).toMatchObject({ text, chat_id: target.fixture.groupChatId });
      const unsub = await call(rpc, 'watch.unsubscribe', { subscription });
      expect(unsub['result']).toEqual({ ok: true });
      await target.injectMessages(3, 'after unsubscribe');
      await result(rpc, 'initialize');
      const at = rpc.lines.findIndex((l) => l.includes(`"id":"${unsub['id']}"`));
      expect(rpc.lines.slice(at + 1).some((l) => l.includes(`"subscription":${subscription},`))).toBe(false);
    });

    test('send: AppleScript to a new handle, the bridge into an existing chat; send.tracked owns the guid (§3.12–3.14)', async () => {
      const direct = SendV1Result(await result(rpc, 'send', { to: target.fixture.directHandle, text: `direct ${Date.now()}` }));
      expect(direct).toMatchObject({ ok: true, guid: expect.any(String), message_id: direct.guid });
      if (claims.transportChoice) expect(direct).toMatchObject({ transport: 'applescript', id: expect.any(Number) });
      const bridged = SendV1Result(await result(rpc, 'send', { chat_id: target.fixture.groupChatId, text: `bridged ${Date.now()}` }));
      expect(bridged).toMatchObject({ ok: true, chat_guid: target.fixture.groupChatGuid });
      if (claims.transportChoice) expect(bridged).toMatchObject({ transport: 'bridge', service: 'iMessage' });
      expect(bridged.message_id).toBe(bridged.guid);
      const attempt = '6F9619FF-8B86-D011-B42D-00C04FC964FF';
      const tracked = await result(rpc, 'send.tracked', { attempt_id: attempt, chat_guid: target.fixture.groupChatGuid, text: 'tracked' });
      expect(tracked).toMatchObject({ ok: true, chat_guid: target.fixture.groupChatGuid, attempt_id: attempt.toLowerCase() });
      if (claims.trackedGuid)
        expect(tracked).toEqual({
          ok: true,
          transport: 'bridge',
          guid: attempt.toLowerCase(),
          message_id: attempt.toLowerCase(),
          chat_guid: target.fixture.groupChatGuid,
          service: 'iMessage',
          attempt_id: attempt.toLowerCase(),
        });
      expect(await errorOf(rpc, 'send.tracked', { attempt_id: attempt, chat_guid: target.fixture.groupChatGuid, text: 'again' })).toEqual({
        code: -32603,
        message: 'Delivery failed before dispatch',
        data: {
          retry_safe: true,
          disposition: 'not_started',
          transport: 'bridge_v2',
          operation: 'send-message',
          detail: 'attempt_id already identifies a message; choose a new UUID',
        },
      });
      const status = SendStatusResultSchema.parse(await result(rpc, 'message.send_status', { guid: attempt }));
      expect(status.guid.toLowerCase()).toBe(attempt.toLowerCase());
      expect(['pending', 'sent', 'delivered']).toContain(status.send_state);
      expect(await result(rpc, 'message.send_status', { guid: 'no-such-guid' })).toMatchObject({ send_state: 'pending', service: null, status_fields: null });
      expect(await errorOf(rpc, 'send', { chat_id: target.fixture.unknownChatId, text: 'x' })).toMatchObject({
        code: -32602,
        data: `unknown chat_id ${target.fixture.unknownChatId}`,
      });
      expect(
        await errorOf(rpc, 'send', { to: target.fixture.directHandle, text: 'x', reply_to: target.fixture.messageGuid, transport: 'applescript' }),
      ).toMatchObject({
        code: -32602,
        data: 'reply_to requires bridge transport; AppleScript fallback cannot send threaded replies',
      });
    });

    test('tapback: six kinds and aliases, remove, any emoji; typing and read answer ok (§3.18, §3.20)', async (ctx) => {
      if (!claims.bridge) ctx.skip();
      const chat = { chat_id: target.fixture.groupChatId, message_id: target.fixture.messageGuid };
      expect(await result(rpc, 'tapback', { ...chat, reaction: 'heart' })).toEqual({ ok: true, reaction: 'love' });
      expect(await result(rpc, 'tapback', { ...chat, kind: 'thumbs-up', remove: true })).toEqual({ ok: true, reaction: 'remove-like' });
      expect(await result(rpc, 'tapback', { ...chat, reaction: '‼️' })).toEqual({ ok: true, reaction: 'emphasize' });
      expect(await result(rpc, 'tapback', { ...chat, emoji: '🎉' })).toEqual({ ok: true, emoji: '🎉' });
      expect(await errorOf(rpc, 'tapback', { ...chat, reaction: 'wow' })).toMatchObject({
        code: -32602,
        data: 'unsupported tapback reaction wow; use love, like, dislike, laugh, emphasize, or question',
      });
      expect(await errorOf(rpc, 'tapback', { ...chat, reaction: '' })).toMatchObject({ code: -32602, data: 'reaction, kind, or emoji is required' });
      expect(await result(rpc, 'typing', { chat_id: target.fixture.groupChatId })).toEqual({ ok: true });
      expect(await result(rpc, 'typing', { to: '+123', typing: false })).toEqual({ ok: true });
      expect(await result(rpc, 'read', { chat_id: target.fixture.groupChatId })).toEqual({ ok: true });
      if (claims.unimplemented.includes('handles.check')) return;
      expect(await result(rpc, 'handles.check', { address: target.fixture.directHandle })).toMatchObject({
        ok: true,
        alias_type: 'phone',
        service: 'iMessage',
      });
    });

    test('--version and status --json answer as 0.15.10; rpc --help exits 0 (§1.2, §1.8)', async () => {
      await using version = target.spawnCli(['--version']);
      expect((await version.exited).code).toBe(0);
      expect(version.lines).toEqual(['0.15.10']);
      await using status = target.spawnCli(['status', '--json']);
      expect((await status.exited).code).toBe(0);
      expect(status.lines).toHaveLength(1);
      const payload = JSON.parse(status.lines[0]!) as Json;
      expect(payload).toMatchObject({ version: '0.15.10', basic_features: true, advanced_features: claims.bridge, v2_ready: claims.bridge });
      expect(payload['rpc_methods']).toContain('send.tracked');
      expect(payload['selectors']['clientMessageGuidReservation']).toBe(true);
      expect(payload['capabilities']).toMatchObject({ engine: { version: '0.15.10' } });
      if (claims.bridge) {
        expect(payload['bridge_version']).toBe(2);
        expect(payload['capabilities']).toMatchObject({ features: { 'tapback.emoji': 2 } });
      }
      await using help = target.spawnCli(['rpc', '--help']);
      expect((await help.exited).code).toBe(0);
    });

    test('EOF drains every accepted request, then exits 0 (§2.7)', async () => {
      await using p = target.spawnRpc();
      const ids = Array.from({ length: 20 }, (_, i) => `drain-${i}`);
      for (const id of ids)
        p.writeJson({ jsonrpc: '2.0', id, method: id.endsWith('0') ? 'typing' : 'chats.list', params: id.endsWith('0') ? { to: '+123' } : { limit: 1 } });
      p.endInput();
      expect((await p.exited).code).toBe(0);
      const answered = p.lines.map((l) => (JSON.parse(l) as Json)['id']);
      expect(answered.sort()).toEqual([...ids].sort());
    });
  });
}

function SendV1Result(value: unknown) {
  return SendV1ResultSchema.parse(value);
}
