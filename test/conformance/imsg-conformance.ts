// A reusable conformance suite for anything that claims to be `imsg rpc` (reference/imsg-protocol.md
// §9 and clawdbot-imessage.md §6.3): run against imsg-sim here, and against `imsg-hub rpc` later.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ImsgChatSchema, ImsgMessageSchema } from '@imsg-hub/imsg-protocol';
import type { LineProcess } from '@imsg-hub/testkit';

/** Ids of the target's fixture, in the target's own id space (ROWIDs for imsg, hub ids for the facade). */
export interface ConformanceFixture {
  /** A group chat (`is_group`, two or more participants) holding `messageId`. */
  groupChatId: number;
  /** An incoming message in the group chat. */
  messageId: number;
  messageGuid: string;
  /** A chat id the target does not know. */
  unknownChatId: number;
  /** A handle a direct `send {to}` may go to. */
  directHandle: string;
}

export interface ConformanceTarget extends AsyncDisposable {
  readonly fixture: ConformanceFixture;
  /** Spawns the executable under test as `... rpc` speaking on stdio. */
  spawnRpc(): LineProcess;
  /** Spawns the executable with other arguments (e.g. `rpc --help`). */
  spawnCli(args: readonly string[]): LineProcess;
  /** Spawns `rpc` over a database it cannot open (startup-error mode), if the target has one. */
  spawnBrokenRpc?(): LineProcess;
  /** What that mode's error `data` says (default: imsg's Full Disk Access banner). */
  brokenRpcSays?: readonly string[];
  /** Makes a new incoming message with this text appear in the group chat. */
  injectMessage(text: string): Promise<void>;
  /** Adds a tapback of `type` from a remote handle to the message with `targetGuid`. */
  injectReaction(targetGuid: string, type: 'like' | 'love'): Promise<void>;
}

type Json = Record<string, any>;

let nextId = 1;

/** Sends one request and waits for the response carrying its id. */
export async function call(p: LineProcess, method: string, params: unknown = {}): Promise<Json> {
  const id = `c${nextId++}`;
  p.writeJson({ jsonrpc: '2.0', id, method, params });
  return p.nextJson<Json>((v) => v['id'] === id && !('method' in v));
}

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

/** Answer to a raw line: the next line that is not a notification. */
async function rawAnswer(p: LineProcess, line: string): Promise<Json> {
  p.writeLine(line);
  return p.nextJson<Json>((v) => !('method' in v));
}

const isNotification =
  (sub: number, method = 'message') =>
  (v: Json) =>
    v['method'] === method && v['params']?.['subscription'] === sub;

export function describeImsgConformance(label: string, makeTarget: () => Promise<ConformanceTarget>): void {
  describe(`imsg rpc conformance: ${label}`, () => {
    let target: ConformanceTarget;
    let rpc: LineProcess;
    beforeAll(async () => {
      target = await makeTarget();
      rpc = target.spawnRpc();
    });
    afterAll(async () => {
      await rpc?.[Symbol.asyncDispose]();
      await target?.[Symbol.asyncDispose]();
    });

    test('rpc --help exits 0 and mentions rpc', async () => {
      await using help = target.spawnCli(['rpc', '--help']);
      const status = await help.exited;
      expect(status.code).toBe(0);
      expect(help.lines.join('\n')).toMatch(/rpc/);
    });

    test('chats.list returns the group chat payload (rpcChatsListReturnsChatPayload)', async () => {
      const { chats } = await result(rpc, 'chats.list', { limit: 10 });
      const group = (chats as Json[]).find((c) => c['id'] === target.fixture.groupChatId);
      expect(group).toBeDefined();
      expect(ImsgChatSchema.safeParse(group).success).toBe(true);
      expect(group!['is_group']).toBe(true);
      expect(group).not.toHaveProperty('contact_name');
      expect((group!['participants'] as string[]).length).toBeGreaterThanOrEqual(2);
      expect(typeof group!['last_message_at']).toBe('string');
      expect(group!['last_message_at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    test('chats.list clamps limit to at least 1 and coerces numeric strings', async () => {
      expect((await result(rpc, 'chats.list', { limit: 0 }))['chats']).toHaveLength(1);
      expect((await result(rpc, 'chats.list', { limit: '1' }))['chats']).toHaveLength(1);
    });

    test('messages.history includes chat fields, newest first (rpcMessagesHistoryIncludesChatFields)', async () => {
      const { messages } = await result(rpc, 'messages.history', { chat_id: target.fixture.groupChatId, limit: 5 });
      expect((messages as Json[]).length).toBeGreaterThanOrEqual(1);
      for (const m of messages as Json[]) {
        expect(ImsgMessageSchema.safeParse(m).success).toBe(true);
        expect(m['chat_id']).toBe(target.fixture.groupChatId);
        expect(m['is_group']).toBe(true);
        expect(m['chat_identifier']).not.toBe('');
        expect(m).not.toHaveProperty('is_reaction');
      }
      const dates = (messages as Json[]).map((m) => Date.parse(m['created_at']));
      expect(dates).toEqual([...dates].sort((a, b) => b - a));
      expect((messages as Json[]).some((m) => m['id'] === target.fixture.messageId)).toBe(true);
    });

    test('messages.history for an unknown chat is empty, not an error', async () => {
      expect(await result(rpc, 'messages.history', { chat_id: target.fixture.unknownChatId })).toEqual({ messages: [] });
    });

    test.each([
      ['messages.history', {}, -32602, 'chat_id is required'],
      ['messages.history', { chat_id: 'abc' }, -32602, 'chat_id is required'],
      ['messages.history', { chat_id: 1, start: 'yesterday' }, -32603, 'Invalid ISO8601 date: yesterday'],
      ['watch.unsubscribe', {}, -32602, 'subscription is required'],
      ['watch.subscribe', { debounce_ms: -1 }, -32602, 'debounce_ms must be a non-negative integer'],
      ['watch.subscribe', { debounceMs: 'soon' }, -32602, 'debounce_ms must be a non-negative integer'],
      ['send', { to: '+15551234567' }, -32602, 'text or file is required'],
      ['send', { to: '+15551234567', text: 'hi', service: 'fax' }, -32602, 'invalid service'],
      ['send', { to: '+15551234567', text: 'hi', service: 'iMessage' }, -32602, 'invalid service'],
      ['send', { to: '+15551234567', text: 'hi', transport: 'pigeon' }, -32602, 'invalid transport'],
      ['send', { text: 'hi' }, -32602, 'to is required for direct sends'],
      ['send', { chat_id: 1, to: '+15551234567', text: 'hi' }, -32602, 'use to or chat_*; not both'],
      ['send', { service: 'fax', transport: 'pigeon' }, -32602, 'invalid service'],
      ['typing', {}, -32602, 'chat_guid, chat_identifier, or chat_id is required'],
      ['nope', {}, -32601, 'nope'],
    ])('%s %j → %i %s', async (method, params, code, data) => {
      const error = await errorOf(rpc, method, params);
      expect(error).toEqual({ code, message: expect.any(String), data });
    });

    test('send to an unknown chat_id → -32602 (rpcSendRejectsUnknownChatID)', async () => {
      const id = target.fixture.unknownChatId;
      expect(await errorOf(rpc, 'send', { chat_id: id, text: 'x' })).toMatchObject({ code: -32602, data: `unknown chat_id ${id}` });
    });

    test('send into the group returns ok, transport and the sent row (rpcSendReturnsSentMessageIdentifiers)', async () => {
      const sent = await result(rpc, 'send', { chat_id: target.fixture.groupChatId, text: `conformance ${Date.now()}` });
      expect(sent['ok']).toBe(true);
      expect(typeof sent['transport']).toBe('string');
      expect(typeof sent['id'] === 'number' || typeof sent['guid'] === 'string').toBe(true);
    });

    test('direct send with service and region answers ok', async () => {
      const sent = await result(rpc, 'send', { to: target.fixture.directHandle, text: 'direct hi', service: 'imessage', region: 'US' });
      expect(sent['ok']).toBe(true);
    });

    test('typing and read answer ok after target checks', async () => {
      expect(await result(rpc, 'typing', { chat_id: target.fixture.groupChatId, typing: true })).toEqual({ ok: true });
      expect(await result(rpc, 'read', { chat_id: target.fixture.groupChatId })).toEqual({ ok: true });
    });

    test.each([
      ['not-json', -32700, null],
      ['42', -32700, null],
      ['[]', -32600, 'request must be an object'],
      ['[{"jsonrpc":"2.0","id":1,"method":"chats.list"}]', -32600, 'request must be an object'],
      ['{"jsonrpc":"1.0","id":1,"method":"chats.list"}', -32600, 'jsonrpc must be 2.0'],
      ['{"jsonrpc":"2.0","id":1}', -32600, 'method is required'],
      ['{"jsonrpc":"2.0","id":1,"method":""}', -32600, 'method is required'],
    ])('malformed line %s → %i', async (line, code, data) => {
      const answer = await rawAnswer(rpc, line);
      expect(answer['error']['code']).toBe(code);
      expect(answer['error']['message']).toEqual(expect.any(String));
      expect(typeof answer['error']['data']).toBe('string');
      if (data !== null) expect(answer['error']['data']).toBe(data);
      const parsed = JSON.parse(line.startsWith('{') ? line : 'null') as Json | null;
      expect(answer['id']).toBe(parsed?.['id'] ?? null);
    });

    test('a request without id gets no result, but errors still come with id null', async () => {
      rpc.writeLine('{"jsonrpc":"2.0","method":"chats.list","params":{"limit":1}}');
      rpc.writeLine('{"jsonrpc":"2.0","method":"messages.history"}');
      const after = await call(rpc, 'chats.list', { limit: 1 });
      expect(after['result']).toBeDefined();
      // Everything before the answer to `after` is still queued: one error, no id-less result.
      const before = rpc.pending.map((l) => JSON.parse(l) as Json);
      expect(before).toEqual([{ jsonrpc: '2.0', id: null, error: { code: -32602, message: 'Invalid params', data: 'chat_id is required' } }]);
      await rpc.nextLine();
    });

    test('an explicit id null gets a result with id null; string and number ids are echoed', async () => {
      expect(await rawAnswer(rpc, '{"jsonrpc":"2.0","id":null,"method":"chats.list","params":{"limit":1}}')).toMatchObject({ id: null });
      expect(await rawAnswer(rpc, '{"jsonrpc":"2.0","id":77,"method":"chats.list","params":{"limit":1}}')).toMatchObject({ id: 77 });
      expect(await rawAnswer(rpc, '{"id":"no-version","method":"chats.list","params":[1]}')).toMatchObject({ id: 'no-version' });
    });

    test('blank lines are skipped and CRLF is tolerated; answers keep request order', async () => {
      rpc.writeRaw('\n   \r\n{"jsonrpc":"2.0","id":"crlf","method":"chats.list","params":{"limit":1}}\r\n');
      const ids = Array.from({ length: 30 }, (_, i) => `seq${i}`);
      for (const id of ids) rpc.writeJson({ jsonrpc: '2.0', id, method: 'chats.list', params: { limit: 1 } });
      expect((await rpc.nextJson<Json>((v) => 'id' in v))['id']).toBe('crlf');
      const answered: string[] = [];
      for (let i = 0; i < ids.length; i++) answered.push((await rpc.nextJson<Json>((v) => 'id' in v))['id']);
      expect(answered).toEqual(ids);
    });

    test('watch replays with since_rowid -1, notifies, then unsubscribes (rpcWatchSubscribeEmitsNotificationAndUnsubscribe)', async () => {
      const { subscription } = await result(rpc, 'watch.subscribe', { chat_id: target.fixture.groupChatId, since_rowid: -1 });
      expect(subscription).toBeGreaterThan(0);
      const n = await rpc.nextJson<Json>(isNotification(subscription));
      expect(n['jsonrpc']).toBe('2.0');
      expect(n).not.toHaveProperty('id');
      expect(ImsgMessageSchema.safeParse(n['params']['message']).success).toBe(true);
      expect(await result(rpc, 'watch.unsubscribe', { subscription })).toEqual({ ok: true });
      expect(await result(rpc, 'watch.unsubscribe', { subscription: 999_999 })).toEqual({ ok: true });
    });

    test('watch delivers a row written after subscribing', async () => {
      const { subscription } = await result(rpc, 'watch.subscribe', { debounce_ms: 20, attachments: true });
      const text = `live ${Date.now()}`;
      await target.injectMessage(text);
      const n = await rpc.nextJson<Json>((v) => isNotification(subscription)(v) && v['params']['message']['text'] === text);
      expect(n['params']['message']['is_from_me']).toBe(false);
      expect(n['params']['message']['chat_id']).toBe(target.fixture.groupChatId);
      await result(rpc, 'watch.unsubscribe', { subscription });
    });

    test('include_reactions fills reactions without attachments (rpcWatchIncludeReactionsDoesNotRequireAttachments)', async () => {
      await target.injectReaction(target.fixture.messageGuid, 'like');
      const { subscription } = await result(rpc, 'watch.subscribe', {
        chat_id: target.fixture.groupChatId,
        since_rowid: -1,
        include_reactions: true,
        attachments: false,
      });
      const n = await rpc.nextJson<Json>((v) => isNotification(subscription)(v) && v['params']['message']['id'] === target.fixture.messageId);
      const message = n['params']['message'] as Json;
      expect(message['attachments']).toEqual([]);
      expect(message['reactions']).toHaveLength(1);
      expect(message['reactions'][0]).toMatchObject({ type: 'like', emoji: '👍', is_from_me: false });
      const event = await rpc.nextJson<Json>((v) => isNotification(subscription)(v) && v['params']['message']['is_reaction'] === true);
      expect(event['params']['message']).toMatchObject({ reaction_type: 'like', is_reaction_add: true, reacted_to_guid: target.fixture.messageGuid });
      await result(rpc, 'watch.unsubscribe', { subscription });
      const { messages } = await result(rpc, 'messages.history', { chat_id: target.fixture.groupChatId, limit: 50 });
      expect((messages as Json[]).some((m) => m['is_reaction'] !== undefined || /^Liked /.test(m['text']))).toBe(false);
      const original = (messages as Json[]).find((m) => m['id'] === target.fixture.messageId)!;
      expect(original['reactions'][0]).toMatchObject({ type: 'like' });
    });

    test('U+2028/U+2029 in a message are escaped on the wire, one message per line', async () => {
      const stamp = String(Date.now());
      const text = `line\u2028sep\u2029para\nnewline ${stamp}`;
      await target.injectMessage(text);
      const { messages } = await result(rpc, 'messages.history', { chat_id: target.fixture.groupChatId, limit: 5 });
      expect((messages as Json[]).some((m) => m['text'] === text)).toBe(true);
      const raw = rpc.lines.find((l) => l.includes(stamp))!;
      expect(raw).toContain('\\u2028');
      expect(raw).not.toMatch(/[\u2028\u2029\n]/);
    });

    test('exits 0 on stdin EOF', async () => {
      await using p = target.spawnRpc();
      await result(p, 'chats.list', { limit: 1 });
      p.endInput();
      expect((await p.exited).code).toBe(0);
    });

    test('startup-error mode answers every request -32603 with the banner and exits 1 (rpcStartupErrorServerPreservesJSONRPCFraming)', async (ctx) => {
      if (!target.spawnBrokenRpc) ctx.skip();
      await using p = target.spawnBrokenRpc!();
      p.writeLine('{"jsonrpc":"2.0","id":"startup","method":"chats.list","params":{}}');
      p.writeLine('{"jsonrpc":"2.0","method":"anything"}');
      p.writeLine('not-json');
      const first = await p.nextJson<Json>();
      expect(first).toMatchObject({ id: 'startup', error: { code: -32603, message: 'Internal error' } });
      for (const words of target.brokenRpcSays ?? ['Permission Error', 'Full Disk Access']) expect(first['error']['data']).toContain(words);
      expect(await p.nextJson<Json>()).toMatchObject({ id: null, error: { code: -32603 } });
      expect(await p.nextJson<Json>()).toMatchObject({ id: null, error: { code: -32700 } });
      p.endInput();
      expect((await p.exited).code).toBe(1);
    });
  });
}
