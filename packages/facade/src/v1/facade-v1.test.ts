import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createToken, Hub, parseHubConfig, startHubServer, type HubServer } from '@imsg-hub/hub';
import { IMSG_090_METHODS, PROTOCOL_VERSION, type ImsgInfo, type Row, type SendDispatchParams } from '@imsg-hub/hub-protocol';
import { ImsgClient, StatusResultSchema } from '@imsg-hub/imsg-protocol';
import { LineStreamTransport, Peer, WebSocketTransport } from '@imsg-hub/jsonrpc';
import { SqliteStore } from '@imsg-hub/store/open';
import { tempDir, waitFor, type TempDir } from '@imsg-hub/testkit';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runFacade } from '../run-facade.js';

// The facade playing imsg 0.15 in one process: a real hub on a loopback port, fake agents speaking
// the hub protocol (reporting what their imsg can do, answering dispatches as told), and runFacade
// over in-memory stdio. What reaches the agents is what would reach each account's imsg.

const V015: ImsgInfo = {
  version: '0.15.10',
  protocol_version: 1,
  methods: ['send', 'send.tracked', 'typing', 'read', 'tapback', 'message.edit', 'message.unsend'],
  supported_methods: ['send', 'send.tracked', 'typing', 'read', 'tapback', 'message.edit', 'message.unsend'],
  features: { 'tapback.emoji': 2 },
  database_ready: true,
  bridge_ready: true,
};
const V09: ImsgInfo = { version: '0.9.0', methods: [...IMSG_090_METHODS], database_ready: true, bridge_ready: false };

let dir: TempDir;
let hub: Hub;
let server: HubServer;
let clientToken: string;

beforeEach(async () => {
  dir = tempDir('facade-v1-');
  hub = await Hub.open({
    config: parseHubConfig({
      data_dir: dir.path,
      accounts: { alice: { handles: ['alice@example.com'] }, bob: { handles: ['bob@example.com'] } },
      default_account: 'alice',
    }),
    log: pino({ level: 'silent' }),
    store: new SqliteStore(join(dir.path, 'hub.db')),
  });
  server = await startHubServer(hub, { host: '127.0.0.1', port: 0 });
  clientToken = (await createToken(hub.store, 'client', '*')).token;
});
afterEach(async () => {
  await server.close();
  await hub.close();
  await dir[Symbol.asyncDispose]();
});

type Answer = (p: SendDispatchParams) => unknown | Promise<unknown>;

/** A fake agent for one account: reports `info`, records dispatches and imsg.calls, answers as `answer` says. */
async function fakeAgent(account: string, info: ImsgInfo | undefined, answer: Answer = () => ({ status: 'sent', result: { ok: true } })) {
  const dispatches: SendDispatchParams[] = [];
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  const socket = new WebSocket(server.url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const peer = new Peer(new WebSocketTransport(socket), {
    onRequest: async (method, params) => {
      if (method === 'imsg.call') {
        calls.push(params as { method: string; params: Record<string, unknown> });
        return { ok: true };
      }
      if (method !== 'send.dispatch') return {};
      dispatches.push(params as SendDispatchParams);
      return answer(params as SendDispatchParams);
    },
  });
  const token = (await createToken(hub.store, 'agent', [account])).token;
  await peer.request('hello', { protocol: PROTOCOL_VERSION, role: 'agent', token, agent: { id: account, version: '0' }, accounts: [account] });
  await peer.request('account.state', { account, state: 'running', ...(info ? { imsg: info } : {}) });
  return { peer, dispatches, calls };
}

let rowid = 0;
function row(text: string, o: { fromMe?: boolean; group?: boolean; guid?: string } = {}): Row {
  rowid += 1;
  const chat = o.group
    ? {
        chat_id: 2,
        chat_identifier: 'chat900',
        chat_guid: 'iMessage;+;chat900',
        chat_name: 'Book club',
        participants: ['+14155550100', '+14155550200'],
        is_group: true,
      }
    : { chat_id: 1, chat_identifier: '+14155550100', chat_guid: 'iMessage;-;+14155550100', chat_name: '', participants: ['+14155550100'], is_group: false };
  return {
    rowid,
    message: {
      id: rowid,
      guid: o.guid ?? `G-${rowid}`,
      sender: o.fromMe ? '' : '+14155550100',
      is_from_me: o.fromMe ?? false,
      text,
      created_at: new Date(Date.UTC(2026, 4, 16, 12, 0, rowid)).toISOString(),
      attachments: [],
      reactions: [],
      ...chat,
      ...(o.fromMe ? {} : { is_read: false }),
    } as Row['message'],
  };
}

/** runFacade (imsg 0.15 by default) over in-memory pipes, with a JSON-RPC client on the other end. */
function facade(extraEnv: Record<string, string> = {}) {
  // OpenClaw's client gives up after 10 s: every answer must come before that.
  const toFacade = new PassThrough();
  const fromFacade = new PassThrough();
  const exit = runFacade(
    {},
    {
      input: toFacade,
      output: fromFacade,
      env: { IMSG_HUB_URL: server.url, IMSG_HUB_TOKEN: clientToken, IMSG_HUB_CACHE_DIR: dir.join('cache'), IMSG_HUB_LOG_LEVEL: 'silent', ...extraEnv },
    },
  );
  const imsg = new ImsgClient(new LineStreamTransport(fromFacade, toFacade), { defaultTimeoutMs: 10_000 });
  const call = (method: string, params: Record<string, unknown> = {}) => imsg.peer.request(method, params) as Promise<Record<string, unknown>>;
  const refused = (method: string, params: Record<string, unknown> = {}) =>
    call(method, params).then(
      (r) => {
        throw new Error(`${method} succeeded: ${JSON.stringify(r)}`);
      },
      (e: { code: number; message: string; data: unknown }) => ({ code: e.code, message: e.message, data: e.data }),
    );
  return { imsg, call, refused, exit, end: () => toFacade.end() };
}

describe('the facade as imsg 0.15', () => {
  it('status tells the truth: per account, and merged conservatively', async () => {
    const alice = await fakeAgent('alice', V015);
    const bob = await fakeAgent('bob', V09);
    const a = facade({ IMSG_HUB_ACCOUNT: 'alice' });
    const status = StatusResultSchema.parse(await a.call('status'));
    expect(status).toMatchObject({
      version: '0.15.10',
      protocol_version: 1,
      database: { ready: true },
      bridge: { ready: true, v2_ready: true, bridge_version: 2 },
    });
    expect(status.methods).toEqual(expect.arrayContaining(['tapback', 'message.edit', 'message.unsend', 'typing', 'read', 'send.tracked', 'messages.after']));
    expect(status.bridge.selectors).toMatchObject({ sendReaction: true, editMessage: true, retractMessagePart: true, emojiTapbackSend: true });
    expect(status.capabilities?.features).toEqual({ 'tapback.emoji': 2 });
    expect(await a.call('initialize', { protocol_version: 1 })).toMatchObject({ methods: status.methods });

    const b = facade({ IMSG_HUB_ACCOUNT: 'bob' });
    const bobs = StatusResultSchema.parse(await b.call('status'));
    expect(bobs.bridge).toMatchObject({
      ready: false,
      error: expect.stringMatching(/account bob: its imsg 0\.9\.0 has no IMCore bridge \(upgrade imsg to 0\.15/),
    });
    expect(bobs.methods).not.toContain('tapback');
    expect(bobs.methods).toEqual(expect.arrayContaining(['send', 'typing', 'read', 'chats.list']));

    const merged = StatusResultSchema.parse(await facade().call('status'));
    expect(merged.bridge.ready).toBe(false);
    expect(merged.methods).not.toContain('tapback');
    await bob.peer.request('account.state', { account: 'bob', state: 'running', imsg: { ...V015, features: {} } });
    await new Promise((r) => setTimeout(r, 1100)); // past the facade's one-second capability cache
    const upgraded = StatusResultSchema.parse(await facade().call('status'));
    expect(upgraded.bridge.ready).toBe(true);
    expect(upgraded.methods).toContain('tapback');
    expect(upgraded.capabilities?.features).toEqual({}); // bob's imsg does not send emoji tapbacks
    a.end();
    b.end();
    expect(await a.exit).toBe(0);
    await alice.peer.close();
    await bob.peer.close();
  });

  it('strict params as 0.15, with its texts; unknown methods -32601', async () => {
    const f = facade();
    for (const [method, params, data] of [
      ['messages.history', { chat_id: 1, extra: true }, 'unknown messages.history param: extra'],
      ['messages.history', { chat_id: '1' }, 'chat_id must be an integer'],
      ['chats.list', { limit: null }, 'limit must not be null'],
      ['chats.list', { unread_only: true }, 'unread_only is unavailable because this Messages database has no read-state column'],
      ['send', { to: '+123', text: 'hi', attempt_id: 'x' }, 'attempt_id is only supported by send.tracked'],
      ['send', { to: '+123', chat_id: 1, text: 'hi' }, 'use to or exactly one chat selector; not both'],
      ['send', { to: '+1555', text: 'hi', reply_to: 'G-1' }, 'reply_to requires bridge transport; AppleScript fallback cannot send threaded replies'],
      ['send.tracked', { to: '+1555', text: 'hi', attempt_id: 'nope' }, 'attempt_id must be a UUID'],
      [
        'tapback',
        { chat_guid: 'g', message_id: 'm', reaction: 'wow' },
        'unsupported tapback reaction wow; use love, like, dislike, laugh, emphasize, or question',
      ],
      ['tapback', { chat_guid: 'g', reaction: 'like' }, 'message_id or message_guid is required'],
      ['message.edit', { chat_guid: 'g', message_id: 'm' }, 'text is required'],
      ['typing', { to: '+123', service: 'fax' }, 'fax'],
      ['watch.subscribe', { buffer_limit: 0 }, 'buffer_limit must be an integer between 1 and 4096'],
      ['messages.after', { since_rowid: 0, limit: 501 }, 'limit must be an integer between 1 and 500'],
      ['messages.search', { query: ' ' }, 'query is required'],
    ] as const) {
      expect(await f.refused(method, params), `${method} ${JSON.stringify(params)}`).toEqual({ code: -32602, message: 'Invalid params', data });
    }
    expect(await f.refused('send.sticker', { chat_guid: 'g', file: 'x' })).toMatchObject({ code: -32601, data: 'send.sticker' });
    f.end();
    await f.exit;
  });

  it('tapback, edit and unsend become the hub’s actions, through the right account, answered as imsg answers', async () => {
    const alice = await fakeAgent('alice', V015);
    const bob = await fakeAgent('bob', V015);
    await alice.peer.request('rows', { account: 'alice', epoch: 1, rows: [row('hi there', { guid: 'IN-1' }), row('mine', { fromMe: true, guid: 'OUT-1' })] });
    await bob.peer.request('rows', { account: 'bob', epoch: 1, rows: [row('book club', { group: true, guid: 'GRP-1' })] });
    const f = facade();
    expect(await f.call('tapback', { chat_guid: 'iMessage;-;+14155550100', message_id: 'IN-1', reaction: 'heart', part_index: 0 })).toEqual({
      ok: true,
      reaction: 'love',
    });
    expect(await f.call('tapback', { chat_guid: 'iMessage;+;chat900', message_guid: 'p:0/GRP-1', kind: 'remove-like' })).toEqual({
      ok: true,
      reaction: 'remove-like',
    });
    expect(await f.call('tapback', { chat_guid: 'iMessage;+;chat900', message_id: 'GRP-1', emoji: '🎉' })).toEqual({ ok: true, emoji: '🎉' });
    expect(
      await f.call('message.edit', {
        chat_guid: 'iMessage;-;+14155550100',
        message_id: 'OUT-1',
        text: 'mine, fixed',
        backwards_compatibility_message: 'mine, fixed',
        part_index: 0,
      }),
    ).toEqual({ ok: true });
    expect(await f.call('message.unsend', { chat_guid: 'iMessage;-;+14155550100', message_id: 'OUT-1', part_index: 0 })).toEqual({ ok: true });
    expect(alice.dispatches.map((d) => [d.method, d.params])).toEqual([
      ['tapback', { chat_guid: 'iMessage;-;+14155550100', message_guid: 'IN-1', part_index: 0, reaction: 'love' }],
      ['message.edit', { chat_guid: 'iMessage;-;+14155550100', message_guid: 'OUT-1', part_index: 0, text: 'mine, fixed' }],
      ['message.unsend', { chat_guid: 'iMessage;-;+14155550100', message_guid: 'OUT-1', part_index: 0 }],
    ]);
    expect(bob.dispatches.map((d) => [d.method, d.params])).toEqual([
      ['tapback', { chat_guid: 'iMessage;+;chat900', message_guid: 'GRP-1', part_index: 0, reaction: 'like', remove: true }],
      ['tapback', { chat_guid: 'iMessage;+;chat900', message_guid: 'GRP-1', emoji: '🎉' }],
    ]);
    // Only the sender edits: a message nobody of ours sent is refused before anything is dispatched.
    expect(await f.refused('message.edit', { chat_guid: 'iMessage;-;+14155550100', message_id: 'IN-1', text: 'x' })).toMatchObject({
      code: -32602,
      data: expect.stringMatching(/none of your accounts sent this message .*\[NO_ROUTE\]$/),
    });
    f.end();
    await f.exit;
    await alice.peer.close();
    await bob.peer.close();
  });

  it('an account that cannot (0.9.0) is refused as not started, retry-safe, saying what to do', async () => {
    const bob = await fakeAgent('bob', V09);
    await bob.peer.request('rows', { account: 'bob', epoch: 1, rows: [row('hello', { guid: 'B-1' })] });
    const f = facade({ IMSG_HUB_ACCOUNT: 'bob' });
    const refused = await f.refused('tapback', { chat_guid: 'iMessage;-;+14155550100', message_id: 'B-1', reaction: 'like' });
    expect(refused).toMatchObject({
      code: -32603,
      message: 'Delivery failed before dispatch',
      data: { retry_safe: true, disposition: 'not_started', transport: 'bridge_v2', operation: 'send-reaction' },
    });
    expect((refused.data as { detail: string }).detail).toMatch(/account bob cannot react: its imsg 0\.9\.0 has no tapback; upgrade imsg/);
    expect(bob.dispatches).toEqual([]);
    f.end();
    await f.exit;
    await bob.peer.close();
  });

  it('sends: ok with id, guid and chat_guid; imsg’s unknown outcome verbatim; a frozen agent is -32001, never ok', async () => {
    let answer: Answer = (p) => ({ status: 'sent', result: { ok: true, transport: 'applescript', id: 77, guid: `SENT-${p.key}` } });
    const alice = await fakeAgent('alice', V015, (p) => answer(p));
    await alice.peer.request('rows', { account: 'alice', epoch: 1, rows: [row('hello')] });
    const f = facade({ IMSG_HUB_ANSWER_WITHIN_MS: '6000' });
    const chat = ((await f.call('chats.list', { limit: 5 }))['chats'] as { id: number; guid: string }[])[0]!;
    const sent = await f.call('send', {
      chat_id: chat.id,
      text: 'hi',
      service: 'auto',
      transport: 'auto',
      formatting: [{ start: 0, length: 2, styles: ['bold'] }],
    });
    expect(sent).toMatchObject({ ok: true, transport: 'applescript', guid: expect.stringMatching(/^SENT-/), chat_guid: 'iMessage;-;+14155550100' });
    expect(sent['message_id']).toBe(sent['guid']);

    answer = () => ({
      status: 'failed',
      error: {
        code: -32001,
        message: 'Delivery outcome unknown',
        data: { retry_safe: false, disposition: 'may_have_completed', transport: 'applescript', operation: 'send', detail: 'no matching row within 8 seconds' },
      },
    });
    expect(await f.refused('send', { to: '+14155550100', text: 'unsure' })).toEqual({
      code: -32001,
      message: 'Delivery outcome unknown',
      data: { retry_safe: false, disposition: 'may_have_completed', transport: 'applescript', operation: 'send', detail: 'no matching row within 8 seconds' },
    });

    answer = () => new Promise(() => undefined); // the agent took it and went silent
    const frozen = await f.refused('send', { to: '+14155550100', text: 'into the void' });
    expect(frozen).toMatchObject({
      code: -32001,
      message: 'Delivery outcome unknown',
      data: { retry_safe: false, disposition: 'may_have_completed', operation: 'send' },
    });
    expect((frozen.data as { detail: string }).detail).toMatch(
      /was handed to alice's agent \(idempotency key imsg-hub-rpc-[0-9a-f-]+\); its outcome is not known yet/,
    );
    f.end();
    await f.exit;
    await alice.peer.close();
  }, 20_000);

  it('a send the agent cannot start in time (offline) is -32603 not_started, retry-safe, and never goes out later', async () => {
    const alice = await fakeAgent('alice', V015);
    await alice.peer.request('rows', { account: 'alice', epoch: 1, rows: [row('hello')] });
    await alice.peer.close();
    await waitFor(() => hub.registry.link('alice') === undefined);
    const f = facade({ IMSG_HUB_ANSWER_WITHIN_MS: '6000' });
    const refused = await f.refused('send', { to: '+14155550100', text: 'while away' });
    expect(refused).toMatchObject({ code: -32603, message: 'Delivery failed before dispatch', data: { retry_safe: true, disposition: 'not_started' } });
    expect((refused.data as { detail: string }).detail).toMatch(/was not started before its queue time ran out/);
    const back = await fakeAgent('alice', V015);
    await new Promise((r) => setTimeout(r, 300));
    expect(back.dispatches).toEqual([]);
    f.end();
    await f.exit;
    await back.peer.close();
  }, 20_000);

  it('send.tracked: the attempt id is the hub key (a repeat never sends twice); message.send_status reads it', async () => {
    const alice = await fakeAgent('alice', V015, () => ({
      status: 'sent',
      result: { ok: true, transport: 'bridge', guid: 'REAL-GUID', chat_guid: 'iMessage;-;+14155550100' },
    }));
    const f = facade();
    const attempt = '6F9619FF-8B86-D011-B42D-00C04FC964FF';
    const first = await f.call('send.tracked', { attempt_id: attempt, to: '+14155550100', text: 'once' });
    expect(first).toMatchObject({ ok: true, transport: 'bridge', guid: 'REAL-GUID', chat_guid: 'iMessage;-;+14155550100', attempt_id: attempt.toLowerCase() });
    expect(await f.call('send.tracked', { attempt_id: attempt, to: '+14155550100', text: 'once' })).toMatchObject({ ok: true, guid: 'REAL-GUID' });
    // One dispatch, under the attempt id (the hub scopes it to this client's token).
    expect(alice.dispatches.map((d) => d.key)).toEqual([expect.stringMatching(new RegExp(`:${attempt.toLowerCase()}$`))]);
    const agentKey = alice.dispatches[0]!.key;
    expect(await f.refused('send.tracked', { attempt_id: attempt, to: '+14155550100', text: 'something else' })).toMatchObject({
      code: -32603,
      data: {
        disposition: 'not_started',
        retry_safe: true,
        transport: 'bridge_v2',
        operation: 'send-message',
        detail: 'attempt_id already identifies a message; choose a new UUID',
      },
    });
    expect(await f.call('message.send_status', { guid: ` ${attempt} ` })).toMatchObject({
      ok: true,
      guid: attempt,
      send_state: 'sent',
      status_fields: { is_sent: true },
    });
    // The recipient's device said so: the agent's receipt moves it on.
    await alice.peer.request('send.receipt', { account: 'alice', key: agentKey, status: 'delivered', at: '2026-05-16T12:00:05.000Z' });
    await alice.peer.request('send.receipt', { account: 'alice', key: agentKey, status: 'read', at: '2026-05-16T12:00:09.000Z' });
    expect(await f.call('message.send_status', { guid: attempt })).toMatchObject({
      send_state: 'delivered',
      delivered_at: '2026-05-16T12:00:05.000Z',
      status_fields: { is_delivered: true, date_delivered: '2026-05-16T12:00:05.000Z', date_read: '2026-05-16T12:00:09.000Z' },
    });
    expect(await f.call('message.send_status', { guid: 'no-such' })).toMatchObject({ send_state: 'pending', service: null, status_fields: null });
    f.end();
    await f.exit;
    await alice.peer.close();
  });

  it('reads: chats.get, messages.after pages with next_rowid, search by substring; no read state leaks', async () => {
    const alice = await fakeAgent('alice', V015);
    await alice.peer.request('rows', {
      account: 'alice',
      epoch: 1,
      rows: [row('budget meeting'), row('lunch?', { group: true }), row('Budget approved'), row('see you')],
    });
    const f = facade();
    const chats = (await f.call('chats.list', { limit: 10 }))['chats'] as { id: number; guid?: string; display_name?: string }[];
    const group = chats.find((c) => c.guid === 'iMessage;+;chat900')!;
    expect(await f.call('chats.get', { chat_id: group.id })).toMatchObject({ id: group.id, guid: 'iMessage;+;chat900', is_group: true, name: 'Book club' });
    expect(await f.refused('chats.get', { chat_id: 999_999 })).toMatchObject({ code: -32602, data: 'Chat not found: 999999' });
    const texts: string[] = [];
    let cursor = 0;
    for (;;) {
      const page = await f.call('messages.after', { since_rowid: cursor, limit: 3 });
      texts.push(...(page['messages'] as { text: string }[]).map((m) => m.text));
      cursor = page['next_rowid'] as number;
      if (!page['has_more']) break;
    }
    expect(texts).toEqual(['budget meeting', 'lunch?', 'Budget approved', 'see you']);
    expect(await f.call('messages.after', { since_rowid: 999_999 })).toEqual({ messages: [], next_rowid: 999_999, has_more: false });
    const found = (await f.call('messages.search', { query: 'BUDGET' }))['messages'] as Record<string, unknown>[];
    expect(found.map((m) => m['text'])).toEqual(['Budget approved', 'budget meeting']);
    expect(found.every((m) => !('is_read' in m) && (m['attachments'] as unknown[]).length === 0)).toBe(true);
    expect(((await f.call('messages.search', { query: 'budget meeting', match: 'exact' }))['messages'] as unknown[]).length).toBe(1);
    f.end();
    await f.exit;
    await alice.peer.close();
  });

  it('typing and read with every shape OpenClaw sends reach the chat’s account', async () => {
    const alice = await fakeAgent('alice', V015);
    await alice.peer.request('rows', { account: 'alice', epoch: 1, rows: [row('hello'), row('group hi', { group: true })] });
    const f = facade();
    const chats = (await f.call('chats.list', { limit: 10 }))['chats'] as { id: number; guid?: string }[];
    const dm = chats.find((c) => c.guid === 'iMessage;-;+14155550100')!;
    const group = chats.find((c) => c.guid === 'iMessage;+;chat900')!;
    expect(await f.call('typing', { chat_id: group.id, typing: true })).toEqual({ ok: true });
    expect(await f.call('typing', { to: '+14155550100', typing: true, service: 'imessage' })).toEqual({ ok: true });
    expect(await f.call('typing', { chat_id: dm.id, typing: false })).toEqual({ ok: true });
    expect(await f.call('read', { chat_guid: 'iMessage;-;+14155550100' })).toEqual({ ok: true });
    expect(await f.call('read', { chat_id: group.id })).toEqual({ ok: true });
    expect(alice.calls.map((c) => c.method)).toEqual(['typing', 'typing', 'typing', 'read', 'read']);
    expect(alice.calls.map((c) => c.params['typing'])).toEqual([true, true, false, undefined, undefined]);
    f.end();
    await f.exit;
    await alice.peer.close();
  });
});
