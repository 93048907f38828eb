import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HubClient } from '@imsg-hub/hub-client';
import type { HubMessage } from '@imsg-hub/hub-protocol';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from './support/fleet.js';

// Issue 13: group management, threaded replies, effects, multipart sends and polls issued through
// the CLI, carried by the hub's outbox to an account in the chat, passed to that account's
// imsg-sim 0.15 once per key, and landing in every member account's chat.db (read back with plain
// SQL). Accounts whose imsg cannot do them (0.9.0, no bridge, no poll selector) are refused before
// anything reaches their Mac.

const ALICE = 'alice@example.com';
const BOB = '+14155550102';
const CAROL = 'carol@example.com';
const DAVE = 'dave@example.com';
const DANA = '+14155550911';
const ERIN = '+14155550933';

type Row = Record<string, unknown>;

describe('group actions, replies and rich sends through real processes: hub, agents, imsg-sim 0.15', () => {
  let tmp: ReturnType<typeof tempDir>;
  let fleet: Fleet;
  let client: HubClient;
  const seen: HubMessage[] = [];
  let groupGuid: string;

  const sql = (account: string, query: string, ...args: unknown[]): Row[] => {
    const db = new Database(fleet.world.info(account).dbPath, { readonly: true });
    try {
      return db.prepare(query).all(...args) as Row[];
    } finally {
      db.close();
    }
  };
  const members = (account: string, chatGuid: string) =>
    sql(
      account,
      'SELECT h.id AS id FROM chat c JOIN chat_handle_join j ON j.chat_id = c.ROWID JOIN handle h ON h.ROWID = j.handle_id WHERE c.guid = ? ORDER BY h.id',
      chatGuid,
    ).map((r) => r['id']);
  const cli = (args: string[]) => fleet.hub.cli([...args, '--token', fleet.clientToken], { NO_COLOR: '1' });
  const ok = async (args: string[]) => {
    const r = await cli([...args, '--json']);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const copiesOf = (text: string, holders: string[]) =>
    waitFor(() => {
      const copies = seen.filter((m) => m.text === text);
      return holders.every((h) => copies.some((m) => m.account === h)) ? copies : undefined;
    }, 20_000);
  const groupChatId = async (account: string) =>
    waitFor(async () => (await client.call('chats.list', { account, merged: false })).chats.find((c) => c.guid === groupGuid)?.id, 20_000);

  beforeAll(async () => {
    tmp = tempDir('group-actions-e2e-');
    fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: [ALICE], via: 'local' },
        { name: 'bob', handles: [BOB], via: 'local' },
        { name: 'carol', handles: [CAROL], via: 'local', imsgVersion: '0.9.0' },
        { name: 'dave', handles: [DAVE], via: 'local', simArgs: ['--bridge', 'absent'] },
      ],
      // Dana's group with alice and bob (both ours), and one with carol and dave.
      seed: (world) => {
        groupGuid = world.inject({ from: DANA, text: 'book club tonight?', group: { name: 'Book club', members: [DANA, ALICE, BOB] } }).chatGuid;
        world.inject({ from: DANA, text: 'old timers', group: { name: 'Old timers', members: [DANA, CAROL, DAVE] } });
      },
    });
    client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
    await client.watch({ since: 0, merged: false }, (m) => seen.push(m));
    await copiesOf('book club tonight?', ['alice', 'bob']);
    await copiesOf('old timers', ['carol', 'dave']);
    // Capabilities arrive with each agent's first account.state.
    await waitFor(async () => (await client.call('accounts.list', {})).accounts.every((a) => a.capabilities) || undefined, 20_000);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await fleet?.[Symbol.asyncDispose]();
    await tmp?.[Symbol.asyncDispose]();
  });

  it('rename, add and remove a member from the CLI: in the acting account’s chat.db and in the other member’s', async () => {
    const aliceChat = await groupChatId('alice');
    const renamed = await ok(['group', 'rename', String(aliceChat), 'Book club (Tuesdays)', '--key', 'rename-1']);
    expect(renamed).toMatchObject({ state: 'sent', account: 'alice', route: 'chat' });
    expect(await ok(['group', 'rename', String(aliceChat), 'Book club (Tuesdays)', '--key', 'rename-1'])).toMatchObject({
      state: 'sent',
      idempotency_key: 'rename-1',
    });
    for (const account of ['alice', 'bob']) {
      expect(sql(account, 'SELECT display_name AS name FROM chat WHERE guid = ?', groupGuid)).toEqual([{ name: 'Book club (Tuesdays)' }]);
      // One rename row (item_type 2) per account: the repeated key did not rename twice.
      expect(sql(account, 'SELECT group_title AS title FROM message WHERE item_type = 2')).toEqual([{ title: 'Book club (Tuesdays)' }]);
    }

    // By chat guid, through bob (named): he is in the group too.
    const added = await ok(['group', 'add', groupGuid, ERIN, '--as', 'bob']);
    expect(added).toMatchObject({ state: 'sent', account: 'bob', route: 'explicit' });
    for (const account of ['alice', 'bob']) expect(members(account, groupGuid)).toContain(ERIN);
    const removed = await ok(['group', 'remove', `chat_guid:${groupGuid}`, ERIN]);
    expect(removed).toMatchObject({ state: 'sent' });
    for (const account of ['alice', 'bob']) expect(members(account, groupGuid)).not.toContain(ERIN);
    expect(members('bob', groupGuid)).toEqual(expect.arrayContaining([DANA, ALICE]));

    // An account outside the group cannot act on it.
    const outsider = await cli(['group', 'rename', groupGuid, 'nope', '--as', 'carol']);
    expect(outsider.code).not.toBe(0);
    expect(outsider.stderr).toMatch(/account carol is not in chat/);
  });

  it('sets the group photo from a file uploaded through the hub', async () => {
    const photo = join(tmp.path, 'photo.png');
    writeFileSync(photo, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    expect(await ok(['group', 'icon', groupGuid, photo, '--as', 'bob'])).toMatchObject({ state: 'sent', account: 'bob' });
    for (const account of ['alice', 'bob']) {
      expect(sql(account, 'SELECT COUNT(*) AS n FROM message WHERE item_type = 3 AND group_action_type = 1')).toEqual([{ n: 1 }]);
    }
  });

  it('a reply lands threaded (thread_originator_guid) in both accounts’ chat.dbs, through an account that holds the message', async () => {
    const [parent] = await copiesOf('book club tonight?', ['alice', 'bob']);
    const reply = await ok(['send', '--reply-to', String(parent!.id), '--text', 'count me in', '--as', 'bob']);
    expect(reply).toMatchObject({ state: 'sent', account: 'bob', route: 'explicit' });
    for (const account of ['alice', 'bob']) {
      expect(sql(account, 'SELECT thread_originator_guid AS parent FROM message WHERE text = ?', 'count me in')).toEqual([{ parent: parent!.guid }]);
    }
    const copies = await copiesOf('count me in', ['alice', 'bob']);
    expect(copies.find((m) => m.account === 'alice')).toMatchObject({ thread_originator_guid: parent!.guid, is_from_me: false });
  });

  it('effects, subjects and multipart sends reach the other account with their columns', async () => {
    await ok(['send', `alice/${BOB}`, '--text', 'hi bob']);
    await copiesOf('hi bob', ['alice', 'bob']);
    await ok(['send', `alice/${BOB}`, '--text', 'party!', '--effect', 'confetti', '--subject', 'news']);
    for (const account of ['alice', 'bob']) {
      expect(sql(account, 'SELECT expressive_send_style_id AS effect, subject FROM message WHERE text = ?', 'party!')).toEqual([
        { effect: 'com.apple.messages.effect.CKConfettiEffect', subject: 'news' },
      ]);
    }
    await ok(['send', `alice/${BOB}`, '--part', 'one, ', '--part', 'two']);
    await copiesOf('one, two', ['alice', 'bob']);
  });

  it('refuses what an account’s imsg cannot do (0.9.0, no bridge, no poll selector), saying what enables it, and changes nothing', async () => {
    const [old] = await copiesOf('old timers', ['carol', 'dave']);
    const carolChat = await waitFor(
      async () => (await client.call('chats.list', { account: 'carol', merged: false })).chats.find((c) => c.is_group)?.id,
      20_000,
    );
    const daveChat = await waitFor(async () => (await client.call('chats.list', { account: 'dave', merged: false })).chats.find((c) => c.is_group)?.id, 20_000);
    const rowsBefore = (account: string) => sql(account, 'SELECT ROWID, guid, text FROM message ORDER BY ROWID');
    const chatsBefore = (account: string) => sql(account, 'SELECT ROWID, display_name FROM chat ORDER BY ROWID');
    const before = { carol: [rowsBefore('carol'), chatsBefore('carol')], dave: [rowsBefore('dave'), chatsBefore('dave')] };

    const cases: [string[], string, RegExp][] = [
      [['group', 'rename', String(carolChat), 'x'], 'carol', /account carol cannot rename groups: its imsg 0\.9\.0 has no group\.rename; upgrade imsg/],
      [['send', '--reply-to', old!.guid, '--text', 'x', '--as', 'carol'], 'carol', /account carol cannot send replies, effects or subjects: its imsg 0\.9\.0/],
      [
        ['group', 'add', String(daveChat), ERIN],
        'dave',
        /account dave cannot add group members: group\.addParticipant is not usable right now .*run `imsg launch`/,
      ],
      [['group', 'leave', String(daveChat)], 'dave', /account dave cannot leave groups: .*imsg launch/],
      [['send', '--reply-to', old!.guid, '--text', 'x', '--as', 'dave'], 'dave', /account dave cannot send replies.*imsg launch/],
    ];
    for (const [args, account, text] of cases) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stdout}`).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(text);
      expect(r.stderr).toContain(account);
      expect(r.stderr).toMatch(/ACTION_UNAVAILABLE/);
    }
    expect([rowsBefore('carol'), chatsBefore('carol')]).toEqual(before.carol);
    expect([rowsBefore('dave'), chatsBefore('dave')]).toEqual(before.dave);

    // Polls: imsg-sim's bridge has no poll selector (as a Mac whose Messages has no polls).
    const aliceChat = await groupChatId('alice');
    const poll = await client.call('poll.send', { chat_id: aliceChat, question: 'Which book?', options: ['Dune', 'Emma'] }).catch((e: unknown) => e);
    expect(poll).toMatchObject({
      message: expect.stringMatching(/^account alice cannot send polls: the IMCore bridge on alice's Mac does not offer the pollPayloadMessage selector/),
      data: { code: 'ACTION_UNAVAILABLE', account: 'alice', method: 'poll.send', needs: 'bridge selector pollPayloadMessage' },
    });
  });

  it('the acting account leaves: the other member’s chat.db drops it from the group', async () => {
    expect(await ok(['group', 'leave', groupGuid, '--as', 'bob'])).toMatchObject({ state: 'sent', account: 'bob' });
    expect(members('alice', groupGuid)).not.toContain(BOB);
    expect(sql('bob', 'SELECT COUNT(*) AS n FROM message WHERE item_type = 3 AND group_action_type = 0')).toEqual([{ n: 1 }]);
  });
});
