import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubClient } from '@imsg-hub/hub-client';
import { HubError, type ImsgInfo, PROTOCOL_VERSION, type Row, type SendDispatchParams } from '@imsg-hub/hub-protocol';
import { Peer, WebSocketTransport } from '@imsg-hub/jsonrpc';
import { SqliteStore } from '@imsg-hub/store/open';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseHubConfig } from '../config.js';
import { Hub } from '../hub.js';
import { type HubServer, startHubServer } from '../hub-server.js';
import { createToken } from '../token-auth.js';

// Routing, scope, gating and idempotency of group actions, rich sends and poll votes, against a real
// hub on a loopback port with agents speaking the hub protocol (the real agent and imsg-sim take
// part in test/group-actions-e2e.test.ts).

const BRIDGE = ['send', 'send.rich', 'send.multipart', 'group.rename', 'group.addParticipant', 'group.leave', 'poll.vote'];
const FULL: ImsgInfo = { version: '0.15.10', protocol_version: 1, methods: BRIDGE, supported_methods: BRIDGE, database_ready: true, bridge_ready: true };
const NO_BRIDGE: ImsgInfo = { ...FULL, methods: ['send'], bridge_ready: false, bridge_error: 'The bridge is not started.' };
const GROUP = 'iMessage;+;chat77';

let dir: string;
let hub: Hub;
let server: HubServer;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chat-actions-'));
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
async function agent(account: string, info: ImsgInfo) {
  const dispatches: SendDispatchParams[] = [];
  const socket = new WebSocket(server.url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const peer = new Peer(new WebSocketTransport(socket), {
    onRequest: async (method, params) => {
      if (method !== 'send.dispatch') return {};
      dispatches.push(params as SendDispatchParams);
      return { status: 'sent', result: { ok: true } };
    },
  });
  const token = (await createToken(hub.store, 'agent', [account])).token;
  await peer.request('hello', { protocol: PROTOCOL_VERSION, role: 'agent', token, agent: { id: account, version: '0' }, accounts: [account] });
  const report = (imsg: ImsgInfo) => peer.request('account.state', { account, state: 'running', imsg });
  await report(info);
  const rows = (r: Row[]) => peer.request('rows', { account, epoch: 1, rows: r });
  return { peer, dispatches, report, rows };
}

/** A row of Dana's group (both accounts are in it), or of a DM with her. */
function row(rowid: number, guid: string, group = true): Row {
  const chat = group
    ? { chat_identifier: 'chat77', chat_guid: GROUP, chat_name: 'Book club', participants: ['+14155550911', 'alice@x.com', 'bob@x.com'], is_group: true }
    : { chat_identifier: '+14155550911', chat_guid: 'iMessage;-;+14155550911', chat_name: '', participants: ['+14155550911'], is_group: false };
  const message = {
    id: rowid,
    chat_id: group ? 7 : 8,
    guid,
    sender: '+14155550911',
    is_from_me: false,
    text: `text of ${guid}`,
    created_at: '2026-01-01T00:00:00.000Z',
  };
  return { rowid, message: { ...message, attachments: [], reactions: [], ...chat } };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => HubError.from(e),
  );

describe('group actions', () => {
  it('go through a member account within the token’s scope; a retried key never acts twice, whatever changed since', async () => {
    const alice = await agent('alice', FULL);
    const bob = await agent('bob', FULL);
    await alice.rows([row(1, 'G-1'), row(2, 'DM-1', false)]);
    await bob.rows([row(1, 'G-1')]);
    const everyone = await HubClient.connect({ url: server.url, token: (await createToken(hub.store, 'client', '*')).token });
    const onlyAlice = await HubClient.connect({ url: server.url, token: (await createToken(hub.store, 'client', ['alice'])).token });
    try {
      const picked = await everyone.call('group.rename', { chat_guid: GROUP, name: 'Books', idempotency_key: 'k1', wait_ms: 5000 });
      expect(picked).toMatchObject({ state: 'sent', route: 'chat', account: expect.stringMatching(/^(alice|bob)$/) });
      const named = await everyone.call('group.add_member', { chat_guid: GROUP, address: '+14155550999', account: 'bob', wait_ms: 5000 });
      expect(named).toMatchObject({ state: 'sent', account: 'bob', route: 'explicit' });
      expect(bob.dispatches.at(-1)).toMatchObject({ method: 'group.addParticipant', params: { chat_guid: GROUP, address: '+14155550999' } });

      // A token for alice acts through alice only, and cannot name bob.
      expect(await onlyAlice.call('group.leave', { chat_guid: GROUP, wait_ms: 5000 })).toMatchObject({ state: 'sent', account: 'alice' });
      expect((await refusal(onlyAlice.call('group.rename', { chat_guid: GROUP, name: 'x', account: 'bob' })))?.hubCode).toBe('TOKEN_SCOPE');
      const bobsChat = (await everyone.call('chats.list', { account: 'bob', merged: false })).chats[0]!.id;
      expect((await refusal(onlyAlice.call('group.rename', { chat_id: bobsChat + 1000, name: 'x' })))?.hubCode).toBe('NO_ROUTE');

      const dm = (await everyone.call('chats.list', { account: 'alice', merged: false })).chats.find((c) => !c.is_group)!;
      const notGroup = await refusal(everyone.call('group.rename', { chat_id: dm.id, name: 'x' }));
      expect(notGroup).toMatchObject({ hubCode: 'INVALID_PARAMS', message: expect.stringMatching(/is a direct chat .* not a group/) });

      // The account that renamed loses its bridge: the same key answers its first outcome, a new one is refused.
      const renamer = picked.account === 'alice' ? alice : bob;
      await renamer.report(NO_BRIDGE);
      const dispatched = alice.dispatches.length + bob.dispatches.length;
      expect(await everyone.call('group.rename', { chat_guid: GROUP, name: 'Books', idempotency_key: 'k1', account: undefined })).toMatchObject({
        state: 'sent',
        account: picked.account,
      });
      const gated = await refusal(everyone.call('group.rename', { chat_guid: GROUP, name: 'Books', account: picked.account }));
      expect(gated).toMatchObject({
        hubCode: 'ACTION_UNAVAILABLE',
        message: expect.stringMatching(/cannot rename groups: group\.rename is not usable right now/),
      });
      expect(alice.dispatches.length + bob.dispatches.length).toBe(dispatched);
    } finally {
      await everyone.close();
      await onlyAlice.close();
      await alice.peer.close();
      await bob.peer.close();
    }
  });
});

describe('rich sends and poll votes', () => {
  it('a reply goes through an account that holds the message, into its own chat; effects need an existing chat', async () => {
    const alice = await agent('alice', FULL);
    const bob = await agent('bob', NO_BRIDGE);
    await alice.rows([row(1, 'G-1')]);
    await bob.rows([row(1, 'G-1')]);
    await using client = await HubClient.connect({ url: server.url, token: (await createToken(hub.store, 'client', '*')).token });

    const reply = await client.call('send', { reply_to: { guid: 'G-1', part_index: 0 }, text: 'agreed', account: 'alice', wait_ms: 5000 });
    expect(reply).toMatchObject({ state: 'sent', account: 'alice', route: 'explicit', target: expect.stringMatching(/^chat_id:\d+$/) });
    expect(alice.dispatches.at(-1)).toMatchObject({
      method: 'send.rich',
      params: { chat_guid: GROUP, text: 'agreed', reply_to: 'G-1', part_index: 0 },
    });
    // bob holds it too, but his imsg cannot thread: named, he is refused saying why.
    const viaBob = await refusal(client.call('send', { reply_to: { guid: 'G-1' }, text: 'me too', account: 'bob' }));
    expect(viaBob).toMatchObject({
      hubCode: 'ACTION_UNAVAILABLE',
      message: expect.stringMatching(/^account bob cannot send replies, effects or subjects: .*imsg launch/),
    });
    const elsewhere = await refusal(client.call('send', { target: '+14155550123', reply_to: { guid: 'G-1' }, text: 'x', account: 'alice' }));
    expect(elsewhere?.hubCode).toBe('BAD_TARGET');

    const noChat = await refusal(client.call('send', { target: 'alice/+14155550123', text: 'boom', effect: 'confetti' }));
    expect(noChat).toMatchObject({ hubCode: 'INVALID_PARAMS', message: expect.stringMatching(/send\.rich needs an existing chat/) });
    const both = await refusal(client.call('send', { target: `chat_guid:${GROUP}`, text: 'x', parts: [{ text: 'a' }] }));
    expect(both?.hubCode).toBe('INVALID_PARAMS');
    const parts = await client.call('send', { target: `alice/chat_guid:${GROUP}`, parts: [{ text: 'one' }, { text: 'two' }], subject: 'S', wait_ms: 5000 });
    expect(parts.state).toBe('sent');
    expect(alice.dispatches.at(-1)).toMatchObject({
      method: 'send.multipart',
      params: { chat_guid: GROUP, parts: [{ text: 'one' }, { text: 'two' }], subject: 'S' },
    });

    await client.call('poll.vote', { guid: 'G-1', option_index: 2, wait_ms: 5000 });
    expect(alice.dispatches.at(-1)).toMatchObject({ method: 'poll.vote', params: { chat_guid: GROUP, poll_guid: 'G-1', option_index: 2 } });
    await alice.peer.close();
    await bob.peer.close();
  });
});
