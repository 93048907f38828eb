import { writeFileSync } from 'node:fs';
import { IMSG_090_METHODS, PROTOCOL_VERSION, type ImsgInfo, type Row, type SendDispatchParams } from '@imsg-hub/hub-protocol';
import { Peer, WebSocketTransport } from '@imsg-hub/jsonrpc';
import { startHubProcess, tempDir, waitFor, type HubProcess, type TempDir } from '@imsg-hub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadOpenClawIMessage, memoryRuntime, pluginConfig, type OpenClawIMessage } from './support/openclaw-plugin.js';

// Issue 14: the published @openclaw/imessage plugin (2026.9.6, pinned) — its own probe, RPC
// client, send path, message actions and inbound parser — against `imsg-hub` wrappers (real
// facade processes) over a real hub process. Each account's imsg is played by an agent speaking
// the hub protocol in this test (reporting what its imsg can do and recording what reaches it), so
// what the plugin's actions become at the Mac is seen exactly. test/openclaw-plugin-sim.test.ts is
// the same with real agents and imsg-sim.

const FULL: ImsgInfo = {
  version: '0.15.10',
  protocol_version: 1,
  methods: ['send', 'send.tracked', 'typing', 'read', 'tapback', 'message.edit', 'message.unsend'],
  supported_methods: ['send', 'send.tracked', 'typing', 'read', 'tapback', 'message.edit', 'message.unsend'],
  features: { 'tapback.emoji': 2 },
  database_ready: true,
  bridge_ready: true,
};
const NO_BRIDGE: ImsgInfo = {
  ...FULL,
  methods: ['send', 'typing', 'read'],
  features: {},
  bridge_ready: false,
  bridge_error: 'The bridge is not started. Run imsg launch explicitly before using bridge methods.',
};
/** A Mac whose Messages has polls and whose bridge offers group management and rich sends. */
const RICH_METHODS = ['send.rich', 'send.attachment', 'group.rename', 'group.addParticipant', 'group.removeParticipant', 'group.leave', 'group.setIcon'];
const POLLS: ImsgInfo = {
  ...FULL,
  methods: [...FULL.methods, ...RICH_METHODS, 'poll.send', 'poll.vote', 'poll.unvote'],
  supported_methods: [...FULL.methods, ...RICH_METHODS, 'poll.send', 'poll.vote', 'poll.unvote'],
};
const OLD: ImsgInfo = { version: '0.9.0', methods: [...IMSG_090_METHODS], database_ready: true, bridge_ready: false };

const FRIEND = '+14155550100';
const OTHER = '+14155550200';
const DM = { chat_id: 1, chat_identifier: FRIEND, chat_guid: `iMessage;-;${FRIEND}`, chat_name: '', participants: [FRIEND], is_group: false };
const GROUP = {
  chat_id: 2,
  chat_identifier: 'chat900',
  chat_guid: 'iMessage;+;chat900',
  chat_name: 'Book club',
  participants: [FRIEND, OTHER],
  is_group: true,
};

/** An account's imsg as the hub sees it: reports `info`, records every dispatch and imsg.call, answers sends. */
class FakeAccount {
  readonly dispatches: SendDispatchParams[] = [];
  readonly calls: { method: string; params: Record<string, unknown> }[] = [];
  /** Texts whose send the agent takes and never answers (a frozen Mac). */
  readonly freeze = new Set<string>();
  #rowid = 0;
  #peer!: Peer;
  constructor(
    readonly name: string,
    readonly info: ImsgInfo,
  ) {}

  async connect(hub: HubProcess): Promise<void> {
    const socket = new WebSocket(hub.url);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    this.#peer = new Peer(new WebSocketTransport(socket), { onRequest: (method, params) => this.#answer(method, params as never) });
    const token = await hub.token('agent', [this.name]);
    await this.#peer.request('hello', { protocol: PROTOCOL_VERSION, role: 'agent', token, agent: { id: this.name, version: '0' }, accounts: [this.name] });
    await this.#peer.request('account.state', { account: this.name, state: 'running', imsg: this.info });
  }

  /** Writes a row into "chat.db" (the hub stores it as the agent forwards it). */
  async row(text: string, o: { chat?: typeof DM | typeof GROUP; from?: string; fromMe?: boolean; guid?: string } = {}): Promise<Row['message']> {
    this.#rowid += 1;
    const message = {
      id: this.#rowid,
      guid: o.guid ?? `${this.name.toUpperCase()}-${this.#rowid}`,
      sender: o.fromMe ? '' : (o.from ?? FRIEND),
      is_from_me: o.fromMe ?? false,
      text,
      created_at: new Date().toISOString(),
      attachments: [],
      reactions: [],
      destination_caller_id: `${this.name}@example.com`,
      ...(o.chat ?? DM),
      ...(o.fromMe ? {} : { is_read: false }),
    } as Row['message'];
    await this.#peer.request('rows', { account: this.name, epoch: 1, rows: [{ rowid: this.#rowid, message }] });
    return message;
  }

  async #answer(method: string, params: Record<string, any>): Promise<unknown> {
    if (method === 'imsg.call') {
      this.calls.push(params as never);
      return { ok: true };
    }
    if (method !== 'send.dispatch') return {};
    const d = params as SendDispatchParams;
    this.dispatches.push(d);
    if (d.method === 'poll.send') {
      // imsg answers with the options' ids (Messages mints them); the poll's row is in chat.db before.
      const guid = `POLL-${this.name}-${this.dispatches.length}`;
      await this.row(String(d.params['question']), { chat: GROUP, fromMe: true, guid });
      const options = (d.params['options'] as string[]).map((text, i) => ({ id: `opt-${i + 1}`, text }));
      return { status: 'sent', result: { ok: true, guid, message_id: guid, poll: { question: d.params['question'], options } } };
    }
    if (d.method === 'poll.vote') return { status: 'sent', result: { ok: true, option_text: 'Emma' } };
    if (d.method && d.method !== 'send') return { status: 'sent', result: { ok: true } };
    if (this.freeze.has(String(d.params['text']))) return new Promise(() => undefined);
    // imsg sent it: its row follows, as the agent forwards chat.db.
    const guid = `OUT-${this.name}-${this.dispatches.length}`;
    setTimeout(() => void this.row(String(d.params['text'] ?? ''), { fromMe: true, guid }).catch(() => undefined), 20);
    return { status: 'sent', result: { ok: true, transport: 'applescript', id: 1000 + this.dispatches.length, guid } };
  }

  async close(): Promise<void> {
    await this.#peer?.close();
  }
}

let tmp: TempDir;
let hub: HubProcess;
let plugin: OpenClawIMessage;
const accounts = {
  alice: new FakeAccount('alice', FULL),
  dave: new FakeAccount('dave', FULL),
  bob: new FakeAccount('bob', NO_BRIDGE),
  carol: new FakeAccount('carol', OLD),
  polly: new FakeAccount('polly', POLLS),
};
const wrappers: Record<string, string> = {};
let cfg: Record<string, unknown>;
const savedVitest = process.env['VITEST'];

/** `imsg-hub wrapper` for a token of these accounts (per-account when one is named). */
async function wrapper(name: string, tokenAccounts: string[], account?: string): Promise<string> {
  writeFileSync(tmp.join(`${name}.token`), `${await hub.token('client', tokenAccounts, `openclaw-${name}`)}\n`, { mode: 0o600 });
  const path = tmp.join(`imsg-hub-${name}`);
  const made = await hub.cli(['wrapper', path, ...(account ? ['--account', account] : []), '--hub-url', hub.url, '--token-file', tmp.join(`${name}.token`)]);
  expect(made.code, made.stderr).toBe(0);
  return path;
}

beforeAll(async () => {
  tmp = tempDir('openclaw-plugin-');
  hub = await startHubProcess({
    dir: tmp.join('hub'),
    config: { accounts: Object.fromEntries(Object.keys(accounts).map((a) => [a, { handles: [`${a}@example.com`] }])) },
  });
  for (const a of Object.values(accounts)) await a.connect(hub);
  for (const name of ['alice', 'dave', 'bob', 'carol', 'polly']) wrappers[name] = await wrapper(name, [name], name);
  wrappers['pair'] = await wrapper('pair', ['alice', 'dave']); // merged over two full accounts
  wrappers['everyone'] = await wrapper('everyone', ['alice', 'dave', 'bob', 'carol']);
  cfg = pluginConfig({
    alice: { cliPath: wrappers['alice']! },
    dave: { cliPath: wrappers['dave']! },
    bob: { cliPath: wrappers['bob']! },
    carol: { cliPath: wrappers['carol']! },
    pair: { cliPath: wrappers['pair']! },
    everyone: { cliPath: wrappers['everyone']! },
    // The same identity, with its actions over JSON-RPC (what a remoteHost account does).
    'alice-rpc': { cliPath: wrappers['alice']!, remoteHost: 'mac-alice.example' },
    polly: { cliPath: wrappers['polly']! },
    'polly-rpc': { cliPath: wrappers['polly']!, remoteHost: 'mac-polly.example' },
  });
  plugin = await loadOpenClawIMessage();
  plugin.setRuntime(memoryRuntime());
  // The plugin refuses to spawn imsg under VITEST (it expects a mock); here the real thing runs.
  delete process.env['VITEST'];
}, 60_000);

afterAll(async () => {
  if (savedVitest !== undefined) process.env['VITEST'] = savedVitest;
  for (const a of Object.values(accounts)) await a.close();
  await hub?.[Symbol.asyncDispose]();
  await tmp?.[Symbol.asyncDispose]();
});

const probe = (cliPath: string) => plugin.probeIMessage(10_000, { cliPath, forceRefresh: true });
const actionsOf = (accountId: string) => plugin.describeMessageTool({ cfg, accountId })?.actions ?? [];
const act = (accountId: string, action: string, params: Record<string, unknown>) =>
  plugin.handleAction({ action, params, cfg, accountId, toolContext: {}, senderIsOwner: true });

/** What the monitor does with a `message` notification: parse it, and remember it for later actions. */
async function receive(accountId: string, n: { params: { message: unknown } }) {
  const m = plugin.parseNotification(n.params);
  if (m) {
    await plugin.rememberReplyCache({
      accountId,
      messageId: m['guid'],
      chatGuid: m['chat_guid'],
      chatIdentifier: m['chat_identifier'],
      chatId: m['chat_id'],
      timestamp: Date.now(),
      isFromMe: m['is_from_me'] === true,
    });
  }
  return m;
}

describe('@openclaw/imessage 2026.9.6 against imsg-hub', () => {
  it('probe: a 0.15 account with its bridge turns on tapback, edit, unsend, typing and read; merged, only if every account can', async () => {
    const alice = await probe(wrappers['alice']!);
    expect(alice).toMatchObject({ ok: true, privateApi: { available: true, v2Ready: true } });
    const status = alice.privateApi!;
    for (const m of ['tapback', 'message.edit', 'message.unsend', 'typing', 'read']) expect(plugin.imessageRpcSupportsMethod(status, m), m).toBe(true);
    expect(status.selectors).toMatchObject({ editMessage: true, retractMessagePart: true, sendReaction: true });
    expect(status.cliCapabilities).toEqual({ sendRichSupportsAttachment: true, pollSendSupportsNoComment: false });
    expect(actionsOf('alice')).toEqual(expect.arrayContaining(['react', 'edit', 'unsend']));
    expect(actionsOf('alice')).not.toContain('poll');
    // What the plugin runs when a bridge stalls: answered, and harmless.
    expect(await plugin.runCliJson({ cliPath: wrappers['alice']!, args: ['launch'], timeoutMs: 10_000 })).toMatchObject({ success: true });

    expect((await probe(wrappers['pair']!)).privateApi?.available).toBe(true);
    const everyone = await probe(wrappers['everyone']!);
    expect(everyone.ok).toBe(true);
    expect(everyone.privateApi).toMatchObject({ available: false, statusMessage: expect.stringContaining('account bob') });
  });

  it.each([
    ['bob', /account bob: The bridge is not started\. .*\(run imsg launch on its Mac\)/],
    ['carol', /account carol: its imsg 0\.9\.0 has no IMCore bridge/],
  ])('probe: %s (no bridge / imsg 0.9.0) keeps the basics and turns the advanced features off', async (name, why) => {
    const result = await probe(wrappers[name]!);
    expect(result.ok).toBe(true); // chats.list through a fresh child works
    expect(result.privateApi?.available).toBe(false);
    expect(result.privateApi?.statusMessage).toMatch(why);
    for (const m of ['tapback', 'typing', 'read']) expect(plugin.imessageRpcSupportsMethod(result.privateApi, m)).toBe(false);
    const offered = actionsOf(name);
    for (const a of ['react', 'edit', 'unsend', 'reply']) expect(offered).not.toContain(a);
    await expect(act(name, 'react', { chatGuid: DM.chat_guid, messageId: 'ANY', emoji: '👍' })).rejects.toThrow(/requires the imsg private API bridge/);
  });

  it('inbound: a DM and a group message pass the plugin’s parser with the right sender; nothing it would drop', async () => {
    const client = await plugin.createRpcClient({ cliPath: wrappers['alice']!, onNotification: (n) => notes.push(n) });
    const notes: { method: string; params: any }[] = [];
    try {
      await client.request('watch.subscribe', { attachments: false, include_reactions: true });
      await accounts.alice.row('hello alice', { chat: DM, from: FRIEND });
      await accounts.alice.row('group hello', { chat: GROUP, from: OTHER });
      await waitFor(() => notes.filter((n) => n.method === 'message').length >= 2, 20_000);
    } finally {
      await client.stop();
    }
    const [dm, group] = await Promise.all(notes.filter((n) => n.method === 'message').map((n) => receive('alice', n)));
    expect(dm).toMatchObject({ text: 'hello alice', sender: FRIEND, is_from_me: false, is_group: false, chat_guid: DM.chat_guid });
    expect(group).toMatchObject({ text: 'group hello', sender: OTHER, is_from_me: false, is_group: true, chat_guid: GROUP.chat_guid });
    expect(typeof group!['chat_id']).toBe('number'); // a group reply goes to chat_id:<n>
    expect(dm).not.toHaveProperty('is_read');
  });

  it('actions through the plugin’s own action code reach the right account’s imsg as the right method', async () => {
    await probe(wrappers['alice']!);
    // Both configs name alice's Apple ID (the plugin keeps one binding per message: one message each).
    const inbound = {
      alice: await accounts.alice.row('tap me', { chat: DM, from: FRIEND }),
      'alice-rpc': await accounts.alice.row('and me', { chat: DM, from: FRIEND }),
    };
    for (const [id, m] of Object.entries(inbound)) await receive(id, { params: { message: m } });
    const before = accounts.alice.dispatches.length;
    // A local account runs actions as one-shots (`tapback --chat … --json`); a remoteHost one over JSON-RPC.
    const drafts: string[] = [];
    for (const id of ['alice', 'alice-rpc'] as const) {
      await act(id, 'react', { chatGuid: DM.chat_guid, messageId: inbound[id].guid, emoji: id === 'alice' ? '❤️' : '👍', partIndex: 0 });
      // the plugin's own send: its answer carries the message guid and chat guid edit/unsend need.
      const sent = await plugin.sendMessage(`imessage:${FRIEND}`, `draft via ${id}`, { config: cfg, accountId: id });
      expect(sent.messageId).toMatch(/^OUT-alice-/);
      drafts.push(sent.messageId);
      await act(id, 'edit', { chatGuid: DM.chat_guid, messageId: sent.messageId, text: `edited via ${id}` });
      await act(id, 'unsend', { chatGuid: DM.chat_guid, messageId: sent.messageId });
    }
    const mine = accounts.alice.dispatches.slice(before).map((d) => [d.method ?? 'send', d.params]);
    expect(mine).toEqual(
      ['alice', 'alice-rpc'].flatMap((id, i) => [
        ['tapback', { chat_guid: DM.chat_guid, message_guid: inbound[id as 'alice'].guid, part_index: 0, reaction: i === 0 ? 'love' : 'like' }],
        ['send', expect.objectContaining({ text: `draft via ${id}` })],
        ['message.edit', { chat_guid: DM.chat_guid, message_guid: drafts[i], part_index: 0, text: `edited via ${id}` }],
        ['message.unsend', { chat_guid: DM.chat_guid, message_guid: drafts[i], part_index: 0 }],
      ]),
    );
    expect([accounts.dave, accounts.bob, accounts.carol].flatMap((a) => a.dispatches)).toEqual([]);
  });

  it('merged: a tapback on a message only dave holds goes through dave', async () => {
    await probe(wrappers['pair']!);
    const theirs = await accounts.dave.row('dave’s thread', { chat: GROUP, from: OTHER });
    await receive('pair', { params: { message: theirs } });
    await act('pair', 'react', { chatGuid: GROUP.chat_guid, messageId: theirs.guid, emoji: '😂' });
    expect(accounts.dave.dispatches.at(-1)).toMatchObject({ method: 'tapback', params: { message_guid: theirs.guid, reaction: 'laugh' } });
  });

  it('typing and read, as the monitor sends them, reach the chat’s account', async () => {
    const client = await plugin.createRpcClient({ cliPath: wrappers['alice']! });
    try {
      const chats = (await client.request('chats.list', { limit: 20 })).chats as { id: number; guid?: string }[];
      const group = chats.find((c) => c.guid === GROUP.chat_guid)!;
      await client.request('typing', { chat_id: group.id, typing: true });
      await client.request('typing', { to: FRIEND, typing: true, service: 'imessage' });
      await client.request('read', { chat_guid: DM.chat_guid });
      await client.request('read', { chat_id: group.id });
    } finally {
      await client.stop();
    }
    expect(accounts.alice.calls.slice(-4).map((c) => c.method)).toEqual(['typing', 'typing', 'read', 'read']);
  });

  it('a send whose agent freezes mid-send surfaces as -32001, retry_safe:false — never as sent', async () => {
    accounts.alice.freeze.add('frozen send');
    process.env['IMSG_HUB_ANSWER_WITHIN_MS'] = '4000';
    try {
      const err = await plugin.sendMessage(`imessage:${FRIEND}`, 'frozen send', { config: cfg, accountId: 'alice' }).then(
        () => undefined,
        (e: unknown) => e as { code?: number; data?: Record<string, unknown>; name?: string },
      );
      expect(err).toBeInstanceOf(plugin.RpcRequestError);
      expect(err).toMatchObject({ code: -32001, data: { retry_safe: false, disposition: 'may_have_completed', operation: 'send' } });
    } finally {
      delete process.env['IMSG_HUB_ANSWER_WITHIN_MS'];
    }
    expect(accounts.alice.dispatches.filter((d) => d.params['text'] === 'frozen send')).toHaveLength(1);
  }, 30_000);

  it('group actions, a reply and polls, where the account’s imsg offers them: local one-shots and JSON-RPC reach it as imsg’s methods', async () => {
    const status = (await probe(wrappers['polly']!)).privateApi!;
    for (const m of ['send.rich', 'group.rename', 'group.addParticipant', 'poll.send', 'poll.vote'])
      expect(plugin.imessageRpcSupportsMethod(status, m), m).toBe(true);
    expect(status.selectors).toMatchObject({ setDisplayName: true, pollPayloadMessage: true, pollVoteMessage: true });
    expect(status.cliCapabilities).toEqual({ sendRichSupportsAttachment: true, pollSendSupportsNoComment: true });
    expect(plugin.describeMessageTool({ cfg, accountId: 'polly', chatType: 'group' })?.actions).toEqual(
      expect.arrayContaining(['reply', 'sendWithEffect', 'renameGroup', 'addParticipant', 'leaveGroup', 'poll', 'poll-vote']),
    );
    const before = accounts.polly.dispatches.length;
    const inbound = await accounts.polly.row('book for May?', { chat: GROUP, from: OTHER });
    for (const id of ['polly', 'polly-rpc']) {
      await receive(id, { params: { message: inbound } });
      await act(id, 'renameGroup', { chatGuid: GROUP.chat_guid, displayName: `Books (${id})` });
      await act(id, 'addParticipant', { chatGuid: GROUP.chat_guid, address: FRIEND });
      await act(id, 'reply', { chatGuid: GROUP.chat_guid, messageId: inbound.guid, text: `yes (${id})` });
      const poll = await act(id, 'poll', { chatGuid: GROUP.chat_guid, pollQuestion: 'Which one?', pollOption: ['Dune', 'Emma'] });
      await act(id, 'poll-vote', { chatGuid: GROUP.chat_guid, pollId: poll.details['messageId'], pollOptionId: 'opt-2' });
    }
    const seen = accounts.polly.dispatches.slice(before).map((d) => [d.method ?? 'send', d.params]);
    expect(seen).toEqual(
      ['polly', 'polly-rpc'].flatMap((id, i) => [
        ['group.rename', { chat_guid: GROUP.chat_guid, name: `Books (${id})` }],
        ['group.addParticipant', { chat_guid: GROUP.chat_guid, address: FRIEND }],
        ['send.rich', { chat_guid: GROUP.chat_guid, text: `yes (${id})`, reply_to: inbound.guid, part_index: 0 }],
        ['poll.send', { chat_guid: GROUP.chat_guid, question: 'Which one?', options: ['Dune', 'Emma'] }],
        ['poll.vote', { chat_guid: GROUP.chat_guid, poll_guid: `POLL-polly-${before + 5 * i + 4}`, option_id: 'opt-2' }],
      ]),
    );
  });

  it('poll send --help mentions --no-comment only where polls are offered; gated accounts refuse group actions saying what enables them', async () => {
    const help = async (name: string) =>
      await plugin.runCliJson({ cliPath: wrappers[name]!, args: ['poll', 'send', '--help'], timeoutMs: 10_000 }).catch((e: Error) => e.message);
    expect(String(await help('polly'))).toContain('--no-comment');
    expect(String(await help('alice'))).not.toContain('--no-comment');
    // alice's imsg has no group actions: the hub refuses before anything reaches her Mac.
    await accounts.alice.row('anyone for books?', { chat: GROUP, from: OTHER });
    const before = accounts.alice.dispatches.length;
    await expect(act('alice-rpc', 'renameGroup', { chatGuid: GROUP.chat_guid, displayName: 'nope' })).rejects.toThrow(
      /account alice cannot rename groups: its imsg 0\.15\.10 has no group\.rename/,
    );
    expect(accounts.alice.dispatches.length).toBe(before);
  });
});
