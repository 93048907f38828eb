import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubClient } from '@imsg-hub/hub-client';
import { HubError, IMSG_090_METHODS, type ImsgInfo, PROTOCOL_VERSION, type Row, type SendDispatchParams, type SendOutcome } from '@imsg-hub/hub-protocol';
import { Peer, WebSocketTransport } from '@imsg-hub/jsonrpc';
import { SqliteStore } from '@imsg-hub/store/open';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseHubConfig } from '../config.js';
import { Hub } from '../hub.js';
import { type HubServer, startHubServer } from '../hub-server.js';
import { createToken } from '../token-auth.js';

// Routing and gating of message actions, against a real hub on a loopback port with agents speaking
// the hub protocol (the real agent and imsg-sim take part in test/actions-e2e.test.ts).

const V015: ImsgInfo = {
  version: '0.15.10',
  protocol_version: 1,
  methods: ['send', 'typing', 'read', 'tapback', 'message.edit', 'message.unsend'],
  supported_methods: ['send', 'typing', 'read', 'tapback', 'message.edit', 'message.unsend'],
  features: { 'tapback.emoji': 2 },
  database_ready: true,
  bridge_ready: true,
};

let dir: string;
let hub: Hub;
let server: HubServer;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'actions-'));
  const config = parseHubConfig({ data_dir: dir, accounts: { alice: { handles: ['alice@x.com'] }, bob: { handles: ['bob@x.com'] } } });
  hub = await Hub.open({ config, log: pino({ level: process.env['DBG'] ? 'debug' : 'silent' }), store: new SqliteStore(join(dir, 'hub.db')) });
  server = await startHubServer(hub, { host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  await server.close();
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An agent for one account that reports `info` and records every dispatch it is given. */
async function agent(account: string, info: ImsgInfo | undefined): Promise<{ peer: Peer; dispatches: SendDispatchParams[] }> {
  const dispatches: SendDispatchParams[] = [];
  const socket = new WebSocket(server.url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const peer = new Peer(new WebSocketTransport(socket), {
    onRequest: async (method, params) => {
      if (method === 'imsg.call') return { ok: true, available: (params as { params: { address: string } }).params.address.startsWith('+1415') };
      if (method !== 'send.dispatch') return {};
      dispatches.push(params as SendDispatchParams);
      return { status: 'sent', result: { ok: true } };
    },
  });
  const token = (await createToken(hub.store, 'agent', [account])).token;
  await peer.request('hello', { protocol: PROTOCOL_VERSION, role: 'agent', token, agent: { id: account, version: '0' }, accounts: [account] });
  await peer.request('account.state', { account, state: 'running', ...(info ? { imsg: info } : {}) });
  return { peer, dispatches };
}

function row(rowid: number, guid: string, fromMe: boolean): Row {
  return {
    rowid,
    message: {
      id: rowid,
      chat_id: 3,
      guid,
      sender: fromMe ? '' : '+14155550100',
      is_from_me: fromMe,
      text: `text of ${guid}`,
      created_at: '2026-01-01T00:00:00.000Z',
      attachments: [],
      reactions: [],
      chat_identifier: '+14155550100',
      chat_guid: 'iMessage;-;+14155550100',
      chat_name: '',
      participants: ['+14155550100'],
      is_group: false,
    },
  };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => HubError.from(e),
  );

describe('message actions', () => {
  it('routes a tapback to the holding account, edits only through the sender, and never applies a retried key twice', async () => {
    const alice = await agent('alice', V015);
    await alice.peer.request('rows', { account: 'alice', epoch: 1, rows: [row(1, 'IN-1', false), row(2, 'OUT-2', true)] });
    const { token: clientToken, record: clientRecord } = await createToken(hub.store, 'client', '*');
    const clientId = clientRecord.id;
    await using client = await HubClient.connect({ url: server.url, token: clientToken });

    const reacted = await client.call('message.react', { guid: 'IN-1', kind: 'love', idempotency_key: 'r1', wait_ms: 5000 });
    expect(reacted).toMatchObject({ state: 'sent', account: 'alice', route: 'holder' });
    expect(alice.dispatches).toEqual([
      {
        key: `${clientId}:r1`, // keys are scoped to the client's token
        account: 'alice',
        method: 'tapback',
        params: { chat_guid: 'iMessage;-;+14155550100', message_guid: 'IN-1', reaction: 'love' },
        not_after: expect.any(Number),
      },
    ]);
    expect(await client.call('message.react', { guid: 'IN-1', kind: 'love', idempotency_key: 'r1', wait_ms: 5000 })).toMatchObject({ state: 'sent' });
    expect(alice.dispatches).toHaveLength(1);
    const conflict = await refusal(client.call('message.react', { guid: 'IN-1', kind: 'like', idempotency_key: 'r1' }));
    expect(conflict?.hubCode).toBe('IDEMPOTENCY_CONFLICT');

    const notMine = await refusal(client.call('message.edit', { guid: 'IN-1', text: 'changed' }));
    expect(notMine?.hubCode).toBe('NO_ROUTE');
    expect(notMine?.message).toMatch(/none of your accounts sent this message/);
    const [outgoing] = (await client.call('messages.history', { chat_id: (await client.call('chats.list', {})).chats[0]!.id })).messages;
    await client.call('message.edit', { message_id: outgoing!.id, text: 'fixed typo', part_index: 0, wait_ms: 5000 });
    await client.call('message.unsend', { guid: 'OUT-2', wait_ms: 5000 });
    expect(alice.dispatches.slice(1).map((d) => [d.method, d.params])).toEqual([
      ['message.edit', { chat_guid: 'iMessage;-;+14155550100', message_guid: 'OUT-2', part_index: 0, text: 'fixed typo' }],
      ['message.unsend', { chat_guid: 'iMessage;-;+14155550100', message_guid: 'OUT-2' }],
    ]);
    const emoji = await client.call('message.react', { message_id: outgoing!.id, emoji: '🎉', remove: true, wait_ms: 5000 });
    expect(emoji.state).toBe('sent');
    expect(alice.dispatches.at(-1)!.params).toMatchObject({ emoji: '🎉', remove: true });
    await alice.peer.close();
  });

  it('refuses, naming the account and what would enable it, when its imsg cannot: 0.9.0, no bridge, no emoji tapbacks', async () => {
    const old = await agent('bob', { version: '0.9.0', methods: [...IMSG_090_METHODS], database_ready: true, bridge_ready: false });
    await old.peer.request('rows', { account: 'bob', epoch: 1, rows: [row(1, 'BOB-1', false)] });
    await using client = await HubClient.connect({ url: server.url, token: (await createToken(hub.store, 'client', '*')).token });
    const tooOld = await refusal(client.call('message.react', { guid: 'BOB-1', kind: 'like' }));
    expect(tooOld?.hubCode).toBe('ACTION_UNAVAILABLE');
    expect(tooOld?.message).toMatch(/^account bob cannot react: its imsg 0\.9\.0 has no tapback; upgrade imsg .* 0\.15 or later, then run `imsg launch`$/);
    expect(tooOld?.details).toMatchObject({ account: 'bob', method: 'tapback', needs: 'imsg>=0.15' });

    await old.peer.request('account.state', {
      account: 'bob',
      state: 'running',
      imsg: { ...V015, methods: ['send', 'typing', 'read'], features: {}, bridge_ready: false, bridge_error: 'The bridge is not started.' },
    });
    const noBridge = await refusal(client.call('message.react', { guid: 'BOB-1', kind: 'like' }));
    expect(noBridge?.message).toMatch(/tapback is not usable right now \(The bridge is not started\.\); run `imsg launch` on bob's Mac/);

    await old.peer.request('account.state', { account: 'bob', state: 'running', imsg: { ...V015, features: {} } });
    const noEmoji = await refusal(client.call('message.react', { guid: 'BOB-1', emoji: '🦄' }));
    expect(noEmoji?.details).toMatchObject({ needs: 'tapback.emoji>=2' });
    expect(old.dispatches).toEqual([]); // nothing reached imsg
    expect((await client.call('message.react', { guid: 'BOB-1', kind: 'like', wait_ms: 5000 })).state).toBe('sent');

    const scoped = await HubClient.connect({ url: server.url, token: (await createToken(hub.store, 'client', ['alice'])).token });
    expect((await refusal(scoped.call('message.react', { guid: 'BOB-1', kind: 'like' })))?.hubCode).toBe('NOT_FOUND');
    await scoped.close();
    await old.peer.close();
  });

  it('handles.check asks every account in view and says which can reach a handle, and why others cannot tell', async () => {
    const alice = await agent('alice', { ...V015, methods: [...V015.methods, 'handles.check'], supported_methods: [...V015.methods, 'handles.check'] });
    const bob = await agent('bob', { version: '0.9.0', methods: [...IMSG_090_METHODS], database_ready: true, bridge_ready: false });
    await using client = await HubClient.connect({ url: server.url, token: (await createToken(hub.store, 'client', '*')).token });
    expect(await client.call('handles.check', { handle: '(415) 555-0100' })).toEqual({
      handle: '+14155550100',
      accounts: [
        { account: 'alice', available: true },
        { account: 'bob', error: 'its imsg 0.9.0 has no handles.check (imsg 0.15 or later)' },
      ],
    });
    expect((await client.call('handles.check', { handle: '+442071838750', accounts: ['alice'] })).accounts).toEqual([{ account: 'alice', available: false }]);
    await Promise.all([alice.peer.close(), bob.peer.close()]);
  });

  it('receipts move a sent message to delivered and read: waiting senders and watches with include_sends see it', async () => {
    const alice = await agent('alice', V015);
    await using client = await HubClient.connect({ url: server.url, token: (await createToken(hub.store, 'client', '*')).token });
    const statuses: unknown[] = [];
    const watch = await client.call('watch.subscribe', { include_sends: true, accounts: ['alice'] });
    client.on('send.status', (outcome: SendOutcome, subscription: number) => {
      if (subscription === watch.subscription) statuses.push(outcome.result?.['delivery'] ?? outcome.state);
    });
    const sent = await client.call('send', { target: '+14155550100', account: 'alice', text: 'hi', idempotency_key: 'rcpt', wait_ms: 5000 });
    expect(sent.state).toBe('sent');
    const waitingForRead = client.call('send.status', { idempotency_key: 'rcpt', wait_ms: 10_000, wait_for: 'read' });
    const key = alice.dispatches.at(-1)!.key; // the agent reports receipts under the key it was given
    expect(key).toMatch(/:rcpt$/);
    await alice.peer.notify('send.receipt', { account: 'alice', key, status: 'delivered', at: '2026-12-01T10:00:00.000Z' });
    await alice.peer.notify('send.receipt', { account: 'alice', key, status: 'read', at: '2026-12-01T10:01:00.000Z' });
    await alice.peer.notify('send.receipt', { account: 'alice', key, status: 'delivered' }); // late: never goes backwards
    const read = await waitingForRead;
    expect(read.result).toMatchObject({ delivery: 'read', delivered_at: '2026-12-01T10:00:00.000Z', read_at: '2026-12-01T10:01:00.000Z' });
    expect((await client.call('send.status', { idempotency_key: 'rcpt' })).result).toMatchObject({ delivery: 'read' });
    await new Promise((r) => setTimeout(r, 100));
    expect(statuses.slice(-2)).toEqual(['delivered', 'read']);
    await alice.peer.close();
  });
});
