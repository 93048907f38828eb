import Database from 'better-sqlite3';
import { HubClient } from '@imsg-hub/hub-client';
import type { HubMessage } from '@imsg-hub/hub-protocol';
import { decodeAttributedBody } from '@imsg-hub/sim';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from './support/fleet.js';

// Issues 12 and 13: react, edit and unsend issued through the CLI, carried by the hub's outbox to
// the right account's agent, passed to that account's imsg-sim 0.15 once per key, and landing in
// both accounts' chat.dbs (read back with plain SQL). Accounts whose imsg cannot do them (0.9.0,
// or 0.15 without its bridge) are refused before anything reaches their Mac.

const ALICE = 'alice@example.com';
const BOB = '+14155550102';
const CAROL = 'carol@example.com';
const DAVE = 'dave@example.com';

type Row = Record<string, unknown>;

describe('actions through real processes: hub, agents, imsg-sim 0.15', () => {
  let tmp: ReturnType<typeof tempDir>;
  let fleet: Fleet;
  let client: HubClient;
  const seen: HubMessage[] = [];

  const sql = (account: string, query: string, ...args: unknown[]): Row[] => {
    const db = new Database(fleet.world.info(account).dbPath, { readonly: true });
    try {
      return db.prepare(query).all(...args) as Row[];
    } finally {
      db.close();
    }
  };
  const cli = (args: string[]) => fleet.hub.cli([...args, '--token', fleet.clientToken], { NO_COLOR: '1' });
  /** Sends through the hub as `account` and waits until every account holding it stored its copy. */
  const sendAs = async (account: string, to: string, text: string, holders: string[]): Promise<HubMessage> => {
    const outcome = await client.call('send', { target: `${account}/${to}`, text, wait_ms: 15_000 });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ state: 'sent', account });
    return waitFor(() => {
      const copies = seen.filter((m) => m.text === text);
      return holders.every((h) => copies.some((m) => m.account === h)) ? copies.find((m) => m.account === account) : undefined;
    }, 20_000);
  };
  const capabilities = async (account: string) =>
    waitFor(async () => (await client.call('accounts.list', {})).accounts.find((a) => a.name === account)?.capabilities, 20_000);

  beforeAll(async () => {
    tmp = tempDir('actions-e2e-');
    fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: [ALICE], via: 'local' },
        { name: 'bob', handles: [BOB], via: 'local' },
        { name: 'carol', handles: [CAROL], via: 'local', imsgVersion: '0.9.0' },
        { name: 'dave', handles: [DAVE], via: 'local', simArgs: ['--bridge', 'absent'] },
      ],
    });
    client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
    await client.watch({ since: 0, merged: false }, (m) => seen.push(m));
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await fleet?.[Symbol.asyncDispose]();
    await tmp?.[Symbol.asyncDispose]();
  });

  it('each account reports what its imsg can do: version, protocol, methods, features, bridge', async () => {
    expect(await capabilities('alice')).toMatchObject({
      version: '0.15.10',
      protocol_version: 1,
      database_ready: true,
      bridge_ready: true,
      features: { 'tapback.emoji': 2 },
      methods: expect.arrayContaining(['tapback', 'message.edit', 'message.unsend', 'send.tracked', 'message.send_status']),
    });
    expect(await capabilities('carol')).toMatchObject({ version: '0.9.0', bridge_ready: false });
    expect((await capabilities('carol'))!.methods).not.toContain('tapback');
    const dave = (await capabilities('dave'))!;
    expect(dave).toMatchObject({ version: '0.15.10', bridge_ready: false, database_ready: true });
    expect(dave.methods).not.toContain('tapback');
    expect(dave.supported_methods).toContain('tapback');
  });

  it('react, edit and unsend from the CLI land in the acting account’s chat.db and, through the world, in the other’s', async () => {
    const message = await sendAs('alice', BOB, 'dinner at 7?', ['alice', 'bob']);
    const guid = message.guid;

    // bob holds alice's message: his tapback goes out from his Mac and arrives on alice's.
    const loved = await cli(['react', String(message.id), 'love', '--as', 'bob', '--key', 'react-love-1', '--json']);
    expect(loved.code, loved.stderr).toBe(0);
    expect(JSON.parse(loved.stdout)).toMatchObject({ state: 'sent', account: 'bob', route: 'explicit' });
    const again = await cli(['react', String(message.id), 'love', '--as', 'bob', '--key', 'react-love-1', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ state: 'sent', account: 'bob' });
    const party = await cli(['react', guid, '🎉', '--as', 'bob', '--json']);
    expect(party.code, party.stderr).toBe(0);
    const tapbacks = (account: string) =>
      sql(
        account,
        'SELECT associated_message_type AS type, associated_message_emoji AS emoji, is_from_me AS mine FROM message WHERE associated_message_guid = ? ORDER BY ROWID',
        `p:0/${guid}`,
      );
    expect(tapbacks('bob')).toEqual([
      { type: 2000, emoji: null, mine: 1 },
      { type: 2006, emoji: '🎉', mine: 1 },
    ]);
    expect(tapbacks('alice')).toEqual([
      { type: 2000, emoji: null, mine: 0 },
      { type: 2006, emoji: '🎉', mine: 0 },
    ]);

    // Only the sender edits and unsends: alice, whichever account the CLI would have picked.
    const edited = await cli(['edit', String(message.id), 'dinner at 8?', '--json']);
    expect(edited.code, edited.stderr).toBe(0);
    expect(JSON.parse(edited.stdout)).toMatchObject({ state: 'sent', account: 'alice', route: 'sender' });
    for (const account of ['alice', 'bob']) {
      const [row] = sql(account, 'SELECT attributedBody AS body, date_edited > 0 AS edited FROM message WHERE guid = ?', guid);
      expect({ body: decodeAttributedBody(row!['body'] as Buffer), edited: row!['edited'] }).toEqual({ body: 'dinner at 8?', edited: 1 });
    }
    const refused = await cli(['edit', String(message.id), 'not yours', '--as', 'bob']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/only alice/);

    const unsent = await cli(['unsend', guid, '--json']);
    expect(unsent.code, unsent.stderr).toBe(0);
    expect(JSON.parse(unsent.stdout)).toMatchObject({ state: 'sent', account: 'alice' });
    for (const account of ['alice', 'bob']) {
      expect(sql(account, 'SELECT text, date_retracted > 0 AS gone FROM message WHERE guid = ?', guid)).toEqual([{ text: null, gone: 1 }]);
    }

    // The merged stream has each tapback once, with the account that reacted among its holders.
    const merged: HubMessage[] = [];
    await using watcher = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken });
    await watcher.watch({ since: 0 }, (m) => merged.push(m));
    const reactions = await waitFor(() => {
      const r = merged.filter((m) => m.is_reaction && m.reacted_to_guid === guid);
      return r.length === 2 ? r : undefined;
    }, 20_000);
    expect(reactions.map((r) => [r.reaction_type, r.is_from_me, r.accounts.includes('bob')])).toEqual([
      ['love', true, true],
      ['custom', true, true],
    ]);
  });

  it('refuses actions an account’s imsg cannot do (0.9.0, or no bridge), saying what enables them, and changes nothing', async () => {
    const toCarol = await sendAs('alice', CAROL, 'hello carol', ['alice', 'carol']);
    const toDave = await sendAs('alice', DAVE, 'hello dave', ['alice', 'dave']);
    const fromCarol = await sendAs('carol', ALICE, 'carol writes', ['carol', 'alice']);
    const fromDave = await sendAs('dave', ALICE, 'dave writes', ['dave', 'alice']);
    const rowsBefore = (account: string) => sql(account, 'SELECT ROWID, guid, text, date_edited, date_retracted FROM message ORDER BY ROWID');
    const before = { carol: rowsBefore('carol'), dave: rowsBefore('dave') };

    const cases: [string[], string, RegExp][] = [
      [['react', String(toCarol.id), 'love', '--as', 'carol'], 'carol', /account carol cannot react: its imsg 0\.9\.0 has no tapback; upgrade imsg/],
      [['edit', String(fromCarol.id), 'changed'], 'carol', /account carol cannot edit messages: its imsg 0\.9\.0 has no message\.edit/],
      [['unsend', String(fromCarol.id)], 'carol', /account carol cannot unsend messages/],
      [['react', String(toDave.id), 'like', '--as', 'dave'], 'dave', /account dave cannot react: tapback is not usable right now .*run `imsg launch`/],
      [['edit', String(fromDave.id), 'changed'], 'dave', /account dave cannot edit messages: .*imsg launch/],
      [['unsend', fromDave.guid], 'dave', /account dave cannot unsend messages: .*imsg launch/],
    ];
    for (const [args, account, text] of cases) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stdout}`).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(text);
      expect(r.stderr).toContain(account);
      expect(r.stderr).toMatch(/ACTION_UNAVAILABLE/);
    }
    expect(rowsBefore('carol')).toEqual(before.carol);
    expect(rowsBefore('dave')).toEqual(before.dave);
  });
});
