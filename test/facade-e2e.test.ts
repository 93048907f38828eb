import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HubClient } from '@imsg-hub/hub-client';
import type { ImsgChat, ImsgMessage } from '@imsg-hub/imsg-protocol';
import { freePort, spawnLineProcess, tempDir, waitFor, type TempDir } from '@imsg-hub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facadeEnv, openFacadeClient, spawnImsgHub, type FacadeClient } from './conformance/facade-process.js';
import { startFleet, type Fleet } from './support/fleet.js';

// Issue 5 "Done when" 2: a client written only against imsg's protocol (ImsgClient over the child's
// stdio, as OpenClaw runs imsg) probes, subscribes, receives from two accounts and replies by chat_id
// and by handle; each reply leaves through the right account, read back from the simulated chat.dbs.

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const FRIEND = '+14155550911';
const DANA = 'dana@example.org';

/** imsg 0.9's message keys (reference imsg-protocol.md §3.1), plus the facade's `account`. */
const MESSAGE_KEYS = new Set([
  'id',
  'chat_id',
  'guid',
  'sender',
  'is_from_me',
  'text',
  'created_at',
  'attachments',
  'reactions',
  'chat_identifier',
  'chat_guid',
  'chat_name',
  'participants',
  'is_group',
  'sender_name',
  'reply_to_guid',
  'thread_originator_guid',
  'reply_to_text',
  'reply_to_sender',
  'destination_caller_id',
  'is_reaction',
  'reaction_type',
  'reaction_emoji',
  'is_reaction_add',
  'reacted_to_guid',
  'account',
]);
const ATTACHMENT_KEYS = ['filename', 'transfer_name', 'uti', 'mime_type', 'total_bytes', 'is_sticker', 'original_path', 'missing'];

type Seen = ImsgMessage & { account: string };
const LIMIT = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const expand = (p: string) => (p.startsWith('~/') ? join(homedir(), p.slice(2)) : p);

let tmp: TempDir;
let fleet: Fleet;
let hubClient: HubClient;
// These are imsg 0.9.0's clients (its protocol, as clawdbot and OpenClaw before its plugin spoke
// it): the facade plays 0.9.0 for them. Its imsg 0.15 side has its own tests (openclaw-*, facade-v1-*).
const env = (account?: string) =>
  facadeEnv({ hubUrl: fleet.hub.url, token: fleet.clientToken, cacheHome: tmp.join('cache'), imsgVersion: '0.9.0', ...(account ? { account } : {}) });
const outgoing = (account: string, text: string) =>
  fleet.world
    .account(account)
    .outgoingRows()
    .filter((r) => r.text === text);

/** Subscribes and collects every message (and `error` notification) of the subscription. */
async function watch(c: FacadeClient, params: Record<string, unknown>) {
  const messages: Seen[] = [];
  const errors: string[] = [];
  const sub = await c.imsg.subscribe(params, { message: (m) => messages.push(m as Seen), error: (e) => errors.push(e) });
  const find = (text: string, timeoutMs = 20_000) => waitFor(() => messages.find((m) => m.text === text), timeoutMs);
  return { sub, messages, errors, find };
}

beforeAll(async () => {
  tmp = tempDir('facade-e2e-');
  fleet = await startFleet({
    dir: tmp.path,
    // The facade shows what imsg 0.9 shows (its message keys, AppleScript sends): its Macs run 0.9.0.
    accounts: [
      { name: 'alice', handles: [ALICE, '+14155550101'], via: 'local', imsgVersion: '0.9.0' },
      { name: 'bob', handles: [BOB], via: 'local', imsgVersion: '0.9.0' },
    ],
    hubConfig: { send: { max_file_bytes: LIMIT } },
  });
  hubClient = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
  await waitFor(async () => (await hubClient.call('accounts.list', {})).accounts.every((a) => a.agent.connected), 20_000);
}, 60_000);

afterAll(async () => {
  await hubClient?.close();
  await fleet?.[Symbol.asyncDispose]();
  await tmp?.[Symbol.asyncDispose]();
});

describe('imsg-hub rpc as OpenClaw drives it', () => {
  it('passes the probes: rpc --help, status --json, chats.list {limit:1}, exit on EOF', async () => {
    await using help = spawnImsgHub(['rpc', '--help'], env());
    expect((await help.exited).code).toBe(0);
    expect((help.lines.join('\n') + help.stderr).toLowerCase()).not.toContain('unknown command');
    await using status = spawnImsgHub(['status', '--json'], env());
    expect((await status.exited).code).toBe(0);
    const info = JSON.parse(status.lines.at(-1)!) as Record<string, unknown>;
    expect(info).toMatchObject({ advanced_features: false, v2_ready: false, selectors: {} });
    expect(info['rpc_methods']).toEqual(expect.arrayContaining(['chats.list', 'messages.history', 'watch.subscribe', 'watch.unsubscribe', 'send']));
    await using bad = spawnImsgHub(['send-rich', '--help'], env());
    expect((await bad.exited).code).not.toBe(0);
    expect(bad.stderr).toContain('unknown command');

    fleet.world.inject({ account: 'alice', from: FRIEND, text: 'probe warm-up' });
    await using probe = openFacadeClient(env());
    await waitFor(async () => (await probe.imsg.chatsList(1)).chats.length === 1, 20_000);
    expect(await probe.stop()).toBe(0);
  });

  it('merged: receives from both accounts, replies by handle and by chat_id through the right account', async () => {
    await using c = openFacadeClient(env());
    const w = await watch(c, { attachments: true, include_reactions: true });
    fleet.world.inject({ account: 'alice', from: FRIEND, text: 'hi alice' });
    fleet.world.inject({ account: 'bob', from: DANA, text: 'hi bob' });
    const group = fleet.world.inject({ from: DANA, text: 'hi group', group: { name: 'Book club', members: [DANA, '+14155550912', BOB] } });
    const fromBob = fleet.world.send({ account: 'bob', to: ALICE, text: 'bob to alice' });
    const [a, b, g, ab] = await Promise.all(['hi alice', 'hi bob', 'hi group', 'bob to alice'].map((t) => w.find(t)));
    expect([a!.account, b!.account, g!.account]).toEqual(['alice', 'bob', 'bob']);
    // A message between two of our accounts is in both chat.dbs with one guid, and comes once.
    expect(ab!.guid).toBe(fromBob.rows[0]!.guid);
    for (const m of w.messages) {
      expect(Object.keys(m).filter((k) => !MESSAGE_KEYS.has(k))).toEqual([]);
      expect(m.id).toBeGreaterThan(0);
      expect(m.chat_id).toBeGreaterThan(0);
    }
    const ids = w.messages.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    expect(w.messages.filter((m) => m.guid === ab!.guid)).toHaveLength(1);

    // DM replies go to the handle (OpenClaw PR #372), groups to chat_id; the hub picks the identity.
    const r1 = await c.imsg.send({ to: FRIEND, text: 'reply to friend', service: 'imessage', region: 'US' });
    const r2 = await c.imsg.send({ to: DANA, text: 'reply to dana', service: 'imessage' });
    const r3 = await c.imsg.send({ chat_id: g!.chat_id, text: 'reply to group', service: 'auto' });
    const r4 = await c.imsg.send({ to: BOB, text: 'alice answers bob', service: 'imessage' });
    expect(outgoing('alice', 'reply to friend')).toHaveLength(1);
    expect(outgoing('bob', 'reply to friend')).toHaveLength(0);
    expect(outgoing('bob', 'reply to dana').map((r) => r.handle)).toEqual([DANA]);
    expect(outgoing('alice', 'reply to dana')).toHaveLength(0);
    expect(outgoing('bob', 'reply to group').map((r) => r.chatGuid)).toEqual([group.chatGuid]);
    expect(outgoing('alice', 'alice answers bob')).toHaveLength(1);
    // …and lands in the recipient's chat.db with the guid the send answered.
    expect(
      fleet.world
        .account('bob')
        .incomingRows()
        .find((r) => r.text === 'alice answers bob')?.guid,
    ).toBe(r4.guid);
    // Each answer names the hub message of its sent row: imsg's shape, hub ids.
    for (const [r, text] of [
      [r1, 'reply to friend'],
      [r2, 'reply to dana'],
      [r3, 'reply to group'],
    ] as const) {
      expect(r).toMatchObject({ ok: true, transport: 'applescript', guid: expect.any(String) });
      const echo = await w.find(text);
      expect(echo).toMatchObject({ is_from_me: true, guid: r.guid });
      if (r.id !== undefined) expect(r.id).toBe(echo!.id);
    }
    // messages.history of that group: newest first, hub ids, the reply included.
    const { messages } = await c.imsg.history({ chat_id: g!.chat_id, limit: 10 });
    expect(messages.map((m) => m.text)).toEqual(['reply to group', 'hi group']);
    const filtered = await c.imsg.history({ chat_id: g!.chat_id, limit: 10, participants: [DANA.toUpperCase()], start: g!.created_at });
    expect(filtered.messages.map((m) => m.text)).toEqual(['hi group']);
    // OpenClaw's catch-up: since_rowid is a hub id; the replay starts right after it.
    const from = w.messages[1]!;
    const replay = await watch(c, { since_rowid: from.id });
    await replay.find('reply to group');
    expect(replay.messages[0]!.id).toBe(w.messages[2]!.id);
    await replay.sub.unsubscribe();
    await w.sub.unsubscribe();
    expect(await c.stop()).toBe(0);
  }, 60_000);

  it('per-account: two wrappers side by side each see and send as their own account only', async () => {
    // One wrapper per Apple ID, made by `imsg-hub wrapper`, each with a token for its account only.
    const wrappers: Record<string, string> = {};
    for (const account of ['alice', 'bob']) {
      writeFileSync(tmp.join(`${account}.token`), (await fleet.hub.token('client', [account], `openclaw-${account}`)) + '\n', { mode: 0o600 });
      wrappers[account] = tmp.join(`imsg-hub-${account}`);
      const made = await fleet.hub.cli([
        'wrapper',
        wrappers[account]!,
        '--account',
        account,
        '--hub-url',
        fleet.hub.url,
        '--token-file',
        tmp.join(`${account}.token`),
        '--imsg-version',
        '0.9.0',
      ]);
      expect(made.code, made.stderr).toBe(0);
      expect(made.stdout.trim().split('\n')).toHaveLength(2); // #!/bin/sh and one exec line
      expect(made.stdout).not.toMatch(/\bssh\b/);
    }
    const named = await fleet.hub.cli(['wrapper', tmp.join('imsg'), '--token-file', tmp.join('alice.token')]);
    expect(named.code).toBe(1);
    expect(named.stderr).toContain('do not name the wrapper "imsg"');
    const bare = { PATH: process.env['PATH'] ?? '', XDG_CACHE_HOME: tmp.join('cache') }; // as OpenClaw runs it: no IMSG_HUB_* at all
    await using help = spawnLineProcess(wrappers['alice']!, ['rpc', '--help'], { env: bare });
    expect((await help.exited).code).toBe(0);
    await using alice = openFacadeClient(bare, wrappers['alice']);
    await using bob = openFacadeClient(bare, wrappers['bob']);
    const aliceChats = (await alice.imsg.chatsList(100)).chats as (ImsgChat & { account: string })[];
    const bobChats = (await bob.imsg.chatsList(100)).chats as (ImsgChat & { account: string })[];
    expect(new Set(aliceChats.map((c) => c.account))).toEqual(new Set(['alice']));
    expect(new Set(bobChats.map((c) => c.account))).toEqual(new Set(['bob']));
    const ids = new Set([...aliceChats, ...bobChats].map((c) => c.id));
    expect(ids.size).toBe(aliceChats.length + bobChats.length); // hub chat ids are global

    const wa = await watch(alice, {});
    const wb = await watch(bob, {});
    fleet.world.inject({ account: 'alice', from: FRIEND, text: 'only alice sees this' });
    fleet.world.inject({ account: 'bob', from: FRIEND, text: 'only bob sees this' });
    await wa.find('only alice sees this');
    await wb.find('only bob sees this');
    // Bob's wrapper replies to the friend alice talks to most: it still goes out as bob.
    await bob.imsg.send({ to: FRIEND, text: 'bob, explicitly', service: 'imessage' });
    await wb.find('bob, explicitly');
    expect(outgoing('bob', 'bob, explicitly')).toHaveLength(1);
    expect(outgoing('alice', 'bob, explicitly')).toHaveLength(0);
    expect([...wa.messages, ...wb.messages].filter((m) => m.text === 'only bob sees this' || m.text === 'bob, explicitly').map((m) => m.account)).toEqual([
      'bob',
      'bob',
    ]);
    expect(wa.messages.some((m) => m.account !== 'alice')).toBe(false);
    // A chat only the other account has does not exist for this wrapper.
    const bobsChat = bobChats.find((c) => c.identifier === DANA)!.id;
    await expect(alice.imsg.send({ chat_id: bobsChat, text: 'nope' })).rejects.toMatchObject({ code: -32602, data: `unknown chat_id ${bobsChat}` });
  }, 60_000);

  it('attachments: inbound original_path is a cached copy with the same bytes; outbound file arrives identical', async () => {
    await using c = openFacadeClient(env());
    const w = await watch(c, { attachments: true });
    const photo = randomBytes(200 * 1024);
    writeFileSync(tmp.join('IMG_0042.jpg'), photo);
    fleet.world.inject({ account: 'bob', from: DANA, text: 'a photo', file: tmp.join('IMG_0042.jpg') });
    const m = await w.find('a photo');
    const att = m!.attachments[0]!;
    expect(Object.keys(att).sort()).toEqual([...ATTACHMENT_KEYS].sort());
    expect(att).toMatchObject({ transfer_name: 'IMG_0042.jpg', missing: false, total_bytes: photo.length });
    expect(att.original_path.startsWith(tmp.join('cache', 'imsg-hub', 'attachments'))).toBe(true);
    expect(sha(readFileSync(att.original_path))).toBe(sha(photo));

    // Out: OpenClaw's placeholder caption next to a file means no caption (clawdbot §3.4).
    const doc = randomBytes(150 * 1024);
    writeFileSync(tmp.join('notes.pdf'), doc);
    const sent = await c.imsg.send({ to: DANA, file: tmp.join('notes.pdf'), text: '<media:document>', service: 'imessage' });
    expect(sent.ok).toBe(true);
    const row = fleet.world
      .account('bob')
      .outgoingRows()
      .find((r) => r.attachments.some((a) => a.transferName === 'notes.pdf'))!;
    expect(sha(readFileSync(expand(row.attachments[0]!.filename)))).toBe(sha(doc));
    expect(
      fleet.world
        .account('bob')
        .outgoingRows()
        .some((r) => r.text.includes('<media:')),
    ).toBe(false);
    // To another of our accounts: byte-identical in the recipient's chat.db too.
    await c.imsg.send({ to: ALICE, file: tmp.join('notes.pdf'), service: 'imessage' });
    const atAlice = await waitFor(() =>
      fleet.world
        .account('alice')
        .incomingRows()
        .find((r) => r.attachments.some((a) => a.transferName === 'notes.pdf')),
    );
    expect(sha(readFileSync(expand(atAlice.attachments[0]!.filename)))).toBe(sha(doc));
    // Too big for the hub: refused before anything is uploaded or sent, saying so.
    writeFileSync(tmp.join('huge.mov'), randomBytes(LIMIT + 1));
    await expect(c.imsg.send({ to: DANA, file: tmp.join('huge.mov') })).rejects.toMatchObject({
      code: -32602,
      data: `imsg-hub: ${tmp.join('huge.mov')} is ${LIMIT + 1} bytes; the hub accepts files up to ${LIMIT} bytes (its send.max_file_bytes) [PAYLOAD_TOO_LARGE]`,
    });
    expect(
      fleet.world
        .account('bob')
        .outgoingRows()
        .filter((r) => r.attachments.some((a) => a.transferName === 'huge.mov')),
    ).toEqual([]);
    // Missing file: imsg's own words.
    await expect(c.imsg.send({ to: DANA, file: tmp.join('absent.png') })).rejects.toMatchObject({
      code: -32603,
      data: `AppleScript failed: Attachment not found at ${tmp.join('absent.png')}`,
    });
  }, 60_000);

  it('agent offline: a send answers {ok:true, queued:true} in time and goes out once when it is back', async () => {
    await using c = openFacadeClient({ ...env(), IMSG_HUB_SEND_WAIT_MS: '300' });
    const agent = fleet.agents.get('bob')!;
    await agent.kill();
    await waitFor(async () => !(await hubClient.call('accounts.list', {})).accounts.find((a) => a.name === 'bob')!.agent.connected, 10_000);
    expect(await c.imsg.send({ to: DANA, text: 'sent while bob was away', service: 'imessage' })).toEqual({ ok: true, queued: true });
    expect(outgoing('bob', 'sent while bob was away')).toHaveLength(0);
    agent.start();
    await waitFor(() => outgoing('bob', 'sent while bob was away').length > 0, 30_000);
    expect(outgoing('bob', 'sent while bob was away')).toHaveLength(1);
    expect(outgoing('alice', 'sent while bob was away')).toHaveLength(0);
  }, 60_000);

  it('survives a hub kill -9 mid-stream: error notification, then every message once, in order', async () => {
    await using c = openFacadeClient(env());
    const w = await watch(c, {});
    const texts: string[] = [];
    const say = (text: string, account = texts.length % 2 === 0 ? 'alice' : 'bob') => {
      texts.push(text);
      fleet.world.inject({ account, from: FRIEND, text });
    };
    for (let i = 0; i < 10; i++) say(`before ${i}`);
    await w.find('before 9');
    for (let i = 0; i < 5; i++) say(`racing ${i}`); // may or may not reach the hub before it dies
    await fleet.hub.kill('SIGKILL');
    await waitFor(() => w.errors.length > 0, 15_000);
    expect(w.errors[0]).toMatch(/lost the link to the hub .* resumes after message \d+ with nothing skipped or repeated/);
    for (let i = 0; i < 5; i++) say(`while down ${i}`);
    await fleet.hub.start();
    for (let i = 0; i < 5; i++) say(`after ${i}`);
    await waitFor(() => texts.every((t) => w.messages.some((m) => m.text === t)), 40_000);
    const got = w.messages.filter((m) => texts.includes(m.text)).map((m) => m.text);
    expect(got.filter((t, i) => got.indexOf(t) !== i)).toEqual([]); // no duplicate
    expect(new Set(got)).toEqual(new Set(texts)); // no gap
    const ids = w.messages.map((m) => m.id);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // The same process keeps answering requests.
    expect((await c.imsg.chatsList(5)).chats.length).toBeGreaterThan(0);
    expect(w.errors).toHaveLength(1);
  }, 90_000);
});

describe('imsg-hub rpc without a usable hub', () => {
  it('answers within its budget when the hub is unreachable, and still exits 0 on EOF', async () => {
    const port = await freePort();
    await using c = openFacadeClient({
      ...facadeEnv({ hubUrl: `ws://127.0.0.1:${port}/`, token: 'x', cacheHome: tmp.join('cache'), imsgVersion: '0.9.0' }),
      IMSG_HUB_ANSWER_WITHIN_MS: '800',
    });
    await expect(c.imsg.chatsList(1)).rejects.toMatchObject({
      code: -32603,
      data: expect.stringMatching(/cannot reach the hub at ws:\/\/127\.0\.0\.1:\d+\/ .*is `imsg-hub serve` running/),
    });
    await expect(c.imsg.send({ to: DANA, text: 'never sent' })).rejects.toMatchObject({ code: -32603 });
    expect(await c.stop()).toBe(0);
  });

  it("without a token: imsg's startup-error mode (every request -32603 saying what to do, exit 1)", async () => {
    const bare = { ...process.env };
    for (const k of ['IMSG_HUB_TOKEN', 'IMSG_HUB_TOKEN_FILE']) delete bare[k];
    await using c = openFacadeClient({ ...bare, IMSG_HUB_URL: 'ws://127.0.0.1:9/', IMSG_HUB_IMSG_VERSION: '0.9.0' });
    await expect(c.imsg.chatsList(1)).rejects.toMatchObject({ code: -32603, data: expect.stringContaining('no hub token: pass --token or --token-file') });
    expect(await c.stop()).toBe(1);
  });
});
