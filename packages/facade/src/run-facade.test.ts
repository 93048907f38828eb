import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createToken, Hub, parseHubConfig, startHubServer, type HubServer } from '@imsg-hub/hub';
import { PROTOCOL_VERSION, type Row } from '@imsg-hub/hub-protocol';
import { ImsgClient } from '@imsg-hub/imsg-protocol';
import { SqliteStore } from '@imsg-hub/store/open';
import { LineStreamTransport, Peer, WebSocketTransport, type RequestHandler } from '@imsg-hub/jsonrpc';
import { freePort, tempDir, waitFor, type TempDir } from '@imsg-hub/testkit';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runFacade } from './run-facade.js';
import { FACADE_RPC_METHODS } from './status.js';

// The whole facade in one process: a real hub on a loopback port, a fake agent speaking the hub
// protocol, and runFacade over in-memory stdio driven by imsg's own client.

let dir: TempDir;
let hub: Hub;
let server: HubServer;
let clientToken: string;
let agentToken: string;

beforeEach(async () => {
  dir = tempDir('facade-unit-');
  hub = await Hub.open({
    config: parseHubConfig({ data_dir: dir.path, accounts: { alice: { handles: ['alice@example.com'] } } }),
    log: pino({ level: 'silent' }),
    store: new SqliteStore(join(dir.path, 'hub.db')),
  });
  server = await startHubServer(hub, { host: '127.0.0.1', port: 0 });
  clientToken = (await createToken(hub.store, 'client', '*')).token;
  agentToken = (await createToken(hub.store, 'agent', ['alice'])).token;
});
afterEach(async () => {
  await server.close();
  await hub.close();
  await dir[Symbol.asyncDispose]();
});

/** A fake agent for alice; `onRequest` answers the hub's send.dispatch. */
async function fakeAgent(onRequest?: RequestHandler): Promise<Peer> {
  const socket = new WebSocket(server.url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const peer = new Peer(new WebSocketTransport(socket), { ...(onRequest ? { onRequest } : {}) });
  await peer.request('hello', { protocol: PROTOCOL_VERSION, role: 'agent', token: agentToken, agent: { id: 'fake', version: '0' }, accounts: ['alice'] });
  return peer;
}

let rowid = 0;
function row(text: string, extra: Record<string, unknown> = {}): Row {
  rowid += 1;
  return {
    rowid,
    message: {
      id: rowid,
      chat_id: 1,
      guid: `G-${rowid}`,
      sender: '+14155550100',
      is_from_me: false,
      text,
      created_at: new Date(Date.UTC(2026, 4, 16, 12, 0, rowid)).toISOString(),
      attachments: [],
      reactions: [],
      chat_identifier: 'chat1',
      chat_guid: 'iMessage;+;chat1',
      chat_name: 'G',
      participants: ['+14155550100', '+14155550200'],
      is_group: true,
      ...extra,
    } as Row['message'],
  };
}

/** runFacade over in-memory pipes, with imsg's client on the other end. */
function facade(extraEnv: Record<string, string> = {}) {
  const toFacade = new PassThrough();
  const fromFacade = new PassThrough();
  const exit = runFacade(
    {},
    {
      input: toFacade,
      output: fromFacade,
      env: {
        IMSG_HUB_URL: server.url,
        IMSG_HUB_TOKEN: clientToken,
        IMSG_HUB_CACHE_DIR: dir.join('cache'),
        IMSG_HUB_LOG_LEVEL: 'silent',
        IMSG_HUB_IMSG_VERSION: '0.9.0',
        ...extraEnv,
      },
    },
  );
  const imsg = new ImsgClient(new LineStreamTransport(fromFacade, toFacade));
  return { imsg, exit, end: () => toFacade.end() };
}

describe('runFacade', () => {
  it('history: limit after filters across hub pages, tapbacks aggregated, tapback rows left out', async () => {
    const agent = await fakeAgent();
    const rows = Array.from({ length: 260 }, (_, i) => row(`m${i}`, i % 10 === 0 ? { sender: '+14155550200' } : {}));
    await agent.request('rows', { account: 'alice', epoch: 1, rows: rows.slice(0, 200) });
    await agent.request('rows', { account: 'alice', epoch: 1, rows: rows.slice(200) });
    const target = rows[250]!.message;
    const like = row('Liked “m250”', { is_reaction: true, reaction_type: 'like', reaction_emoji: '👍', is_reaction_add: true, reacted_to_guid: target.guid });
    const love = row('Loved “m250”', { is_reaction: true, reaction_type: 'love', reaction_emoji: '❤️', is_reaction_add: true, reacted_to_guid: target.guid });
    const unlike = row('Removed a like', {
      is_reaction: true,
      reaction_type: 'like',
      reaction_emoji: '👍',
      is_reaction_add: false,
      reacted_to_guid: target.guid,
    });
    await agent.request('rows', { account: 'alice', epoch: 1, rows: [like, love, unlike] });
    const f = facade();
    const chat = (await f.imsg.chatsList(5)).chats[0]!;
    const { messages } = await f.imsg.history({ chat_id: chat.id, participants: ['+14155550200'], limit: 25 });
    expect(messages).toHaveLength(25); // 26 match, 20 of them in the newest hub page of 200
    expect(messages.every((m) => m.sender === '+14155550200')).toBe(true);
    expect(messages[0]!.text).toBe('m250');
    expect(messages[0]!.reactions.map((r) => r.type)).toEqual(['love']);
    const all = await f.imsg.history({ chat_id: chat.id, limit: 1000 });
    expect(all.messages).toHaveLength(260);
    expect(all.messages.some((m) => m.text.startsWith('Liked'))).toBe(false);
    expect(await f.imsg.history({ chat_id: 424242 })).toEqual({ messages: [] });
    f.end();
    expect(await f.exit).toBe(0);
    await agent.close();
  });

  it('send: imsg’s failure verbatim; queued:true in time when the agent is away', async () => {
    const agent = await fakeAgent((method) => {
      if (method === 'send.dispatch')
        return { status: 'failed', error: { code: -32603, message: 'Internal error', data: 'AppleScript failed: Messages got an error' } };
      return undefined;
    });
    await agent.request('rows', { account: 'alice', epoch: 1, rows: [row('hello')] });
    const f = facade({ IMSG_HUB_SEND_WAIT_MS: '200' });
    const chat = (await f.imsg.chatsList(1)).chats[0]!;
    await expect(f.imsg.send({ chat_id: chat.id, text: 'x' })).rejects.toMatchObject({
      code: -32603,
      message: 'Internal error',
      data: 'AppleScript failed: Messages got an error',
    });
    await agent.close();
    await waitFor(() => hub.registry.link('alice') === undefined);
    expect(await f.imsg.send({ chat_id: chat.id, text: 'later' })).toEqual({ ok: true, queued: true });
    expect((await hub.store.outbox({ account: 'alice', states: ['queued', 'dispatched'] })).map((r) => r.params['text'])).toEqual(['later']);
    f.end();
    await f.exit;
  });

  it('answers -32601 for what it does not do, and answers everything `status` lists', async () => {
    const agent = await fakeAgent((method) => (method === 'imsg.call' ? { ok: true } : { status: 'sent', result: { ok: true, transport: 'applescript' } }));
    await agent.request('rows', { account: 'alice', epoch: 1, rows: [row('hello')] });
    const f = facade();
    for (const method of ['send.rich', 'tapback', 'chats.create', 'nope']) {
      await expect(f.imsg.peer.request(method, {})).rejects.toMatchObject({ code: -32601, data: method });
    }
    for (const method of FACADE_RPC_METHODS) {
      const err = await f.imsg.peer.request(method, { chat_id: 1, subscription: 1, text: 'x' }).then(
        () => undefined,
        (e: { code: number }) => e,
      );
      expect(err?.code, method).not.toBe(-32601);
    }
    f.end();
    await f.exit;
    await agent.close();
  });

  it('a watch reports the hub link dropping, then resumes after the last message', async () => {
    const agent = await fakeAgent();
    await agent.request('rows', { account: 'alice', epoch: 1, rows: [row('one')] });
    const f = facade();
    const seen: string[] = [];
    const errors: string[] = [];
    await f.imsg.subscribe({ since_rowid: -1 }, { message: (m) => seen.push(m.text), error: (e) => errors.push(e) });
    await waitFor(() => seen.length === 1);
    const port = Number(new URL(server.url).port);
    await server.close();
    await waitFor(() => errors.length === 1);
    expect(errors[0]).toContain('lost the link to the hub');
    server = await startHubServer(hub, { host: '127.0.0.1', port });
    const again = await fakeAgent();
    await again.request('rows', { account: 'alice', epoch: 1, rows: [row('two')] });
    await waitFor(() => seen.length === 2, 10_000);
    expect(seen).toEqual(['one', 'two']);
    f.end();
    await f.exit;
    await again.close();
    await agent.close().catch(() => undefined);
  });

  it('a refused token or an account the token does not see: said at once, not after the budget', async () => {
    const bad = facade({ IMSG_HUB_TOKEN: 'ihub_wrong' });
    await expect(bad.imsg.chatsList(1)).rejects.toMatchObject({
      code: -32603,
      data: expect.stringMatching(/refused this token: .* \(UNAUTHORIZED\) \[HUB_REFUSED\]$/),
    });
    bad.end();
    await bad.exit;
    const other = facade({ IMSG_HUB_ACCOUNT: 'work' });
    await expect(other.imsg.chatsList(1)).rejects.toMatchObject({
      data: expect.stringMatching(/account "work" is not one this token sees \(it sees: alice\).*\[ACCOUNT_UNKNOWN\]$/),
    });
    other.end();
    await other.exit;
  });

  it('an unreachable hub: every request answered within its budget', async () => {
    const f = facade({ IMSG_HUB_URL: `ws://127.0.0.1:${await freePort()}/`, IMSG_HUB_ANSWER_WITHIN_MS: '600' });
    await expect(f.imsg.chatsList(1)).rejects.toMatchObject({ code: -32603, data: expect.stringContaining('cannot reach the hub') });
    f.end();
    expect(await f.exit).toBe(0);
  });
});
