// Every 0.15 mutation driven through a two-account world (alice and bob, each served by its own
// `imsg-sim rpc`), read back from both chat.dbs with plain SQL: what Messages writes on the
// sender's Mac and what arrives on the recipient's.
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeAttributedBody, SimWorld } from '@imsg-hub/sim';
import { tempDir, waitFor, type LineProcess } from '@imsg-hub/testkit';
import { call } from './conformance/imsg-conformance.js';
import { spawnSim } from './conformance/sim-target.js';

type Json = Record<string, any>;
type Row = Record<string, any>;

const ALICE = 'alice@example.com';
const BOB = '+14155550102';
const CAROL = '+14155550999';

describe('imsg 0.15 mutations across a two-account world', () => {
  let dir: ReturnType<typeof tempDir>;
  let world: SimWorld;
  let alice: LineProcess;
  let bob: LineProcess;
  const sql = (account: 'alice' | 'bob', query: string, ...args: unknown[]): Row[] => {
    const db = new Database(world.info(account).dbPath, { readonly: true });
    try {
      return db.prepare(query).all(...args) as Row[];
    } finally {
      db.close();
    }
  };
  const one = (account: 'alice' | 'bob', query: string, ...args: unknown[]): Row => {
    const rows = sql(account, query, ...args);
    expect(rows, `${account}: ${query} ${JSON.stringify(args)}`).toHaveLength(1);
    return rows[0]!;
  };
  const ok = async (p: LineProcess, method: string, params: unknown): Promise<Json> => {
    const answer = await call(p, method, params);
    expect(answer['error'], `${method}: ${JSON.stringify(answer['error'])}`).toBeUndefined();
    return answer['result'] as Json;
  };
  const dmGuid = (peer: string) => `iMessage;-;${peer}`;
  let bobMessage = '';

  beforeAll(async () => {
    dir = tempDir('sim-v1-world-');
    world = SimWorld.create(
      {
        version: 1,
        accounts: [
          { name: 'alice', db: 'alice/chat.db', handles: [ALICE] },
          { name: 'bob', db: 'bob/chat.db', handles: [BOB] },
        ],
      },
      dir.join('world.json'),
    );
    alice = spawnSim(['rpc', '--db', world.info('alice').dbPath, '--poll-ms', '100', '--receipt-ms', '20']);
    bob = spawnSim(['rpc', '--db', world.info('bob').dbPath, '--poll-ms', '100', '--receipt-ms', '20']);
  });
  afterAll(async () => {
    await alice?.[Symbol.asyncDispose]();
    await bob?.[Symbol.asyncDispose]();
    world?.close();
    await dir?.[Symbol.asyncDispose]();
  });

  test('send to a new handle (AppleScript), then delivered and read receipts reach the sender’s row', async () => {
    const sent = await ok(alice, 'send', { to: '(415) 555-0102', text: 'hi bob' });
    expect(sent).toMatchObject({ transport: 'applescript', chat_guid: dmGuid(BOB) });
    const theirs = one(
      'bob',
      'SELECT m.is_from_me, h.id AS sender, c.guid AS chat FROM message m JOIN handle h ON h.ROWID = m.handle_id JOIN chat_message_join j ON j.message_id = m.ROWID JOIN chat c ON c.ROWID = j.chat_id WHERE m.guid = ?',
      sent['guid'],
    );
    expect(theirs).toEqual({ is_from_me: 0, sender: ALICE, chat: dmGuid(ALICE) });
    const delivered = await waitFor(async () => {
      const s = await ok(alice, 'message.send_status', { guid: sent['guid'] });
      return s['send_state'] === 'delivered' ? s : undefined;
    });
    expect(delivered['delivered_at']).toMatch(/Z$/);
    expect(one('alice', 'SELECT is_sent, is_delivered, is_finished, date_delivered > 0 AS d FROM message WHERE guid = ?', sent['guid'])).toEqual({
      is_sent: 1,
      is_delivered: 1,
      is_finished: 1,
      d: 1,
    });

    expect(one('bob', 'SELECT is_read FROM message WHERE guid = ?', sent['guid'])).toEqual({ is_read: 0 });
    expect(await ok(bob, 'read', { chat_guid: dmGuid(ALICE) })).toEqual({ ok: true });
    expect(one('bob', 'SELECT is_read, date_read > 0 AS r FROM message WHERE guid = ?', sent['guid'])).toEqual({ is_read: 1, r: 1 });
    expect(one('alice', 'SELECT date_read > 0 AS r FROM message WHERE guid = ? AND is_from_me = 1', sent['guid'])).toEqual({ r: 1 });
    expect((await ok(alice, 'message.send_status', { guid: sent['guid'] }))['status_fields']['date_read']).toMatch(/Z$/);
  });

  test('send.tracked: the attempt id is the guid on both sides; status moves pending → sent → delivered', async () => {
    const attempt = '7d444840-9dc0-11d1-b245-5ffdce74fad2';
    const sent = await ok(bob, 'send.tracked', { attempt_id: attempt.toUpperCase(), chat_guid: dmGuid(ALICE), text: 'tracked hello' });
    expect(sent).toMatchObject({ transport: 'bridge', guid: attempt, attempt_id: attempt });
    bobMessage = attempt;
    expect(one('alice', 'SELECT text, is_from_me FROM message WHERE guid = ?', attempt)).toEqual({ text: 'tracked hello', is_from_me: 0 });
    const states = new Set<string>();
    await waitFor(async () => {
      const s = (await ok(bob, 'message.send_status', { guid: attempt }))['send_state'] as string;
      states.add(s);
      return s === 'delivered';
    });
    expect(states.has('delivered')).toBe(true);
    expect(one('bob', 'SELECT is_sent, is_delivered FROM message WHERE guid = ?', attempt)).toEqual({ is_sent: 1, is_delivered: 1 });
  });

  test('tapbacks: classic, emoji, removal and a p:N/GUID target, as rows on both sides', async () => {
    const ref = { chat_guid: dmGuid(BOB), message_id: bobMessage };
    await ok(alice, 'tapback', { ...ref, reaction: 'love' });
    await ok(alice, 'tapback', { ...ref, emoji: '🎉' });
    await ok(alice, 'tapback', { chat_guid: dmGuid(BOB), message_id: `p:0/${bobMessage}`, reaction: 'love', remove: true });
    for (const account of ['alice', 'bob'] as const) {
      const rows = sql(
        account,
        'SELECT associated_message_type AS t, associated_message_guid AS g, associated_message_emoji AS e, text, is_from_me FROM message WHERE associated_message_guid LIKE ? ORDER BY ROWID',
        `%/${bobMessage}`,
      );
      expect(rows).toEqual([
        { t: 2000, g: `p:0/${bobMessage}`, e: null, text: 'Loved “tracked hello”', is_from_me: account === 'alice' ? 1 : 0 },
        { t: 2006, g: `p:0/${bobMessage}`, e: '🎉', text: 'Reacted 🎉 to “tracked hello”', is_from_me: account === 'alice' ? 1 : 0 },
        { t: 3000, g: `p:0/${bobMessage}`, e: null, text: 'Removed a heart from “tracked hello”', is_from_me: account === 'alice' ? 1 : 0 },
      ]);
    }
    const history = await ok(bob, 'messages.history', { chat_id: one('bob', 'SELECT ROWID AS id FROM chat WHERE guid = ?', dmGuid(ALICE))['id'], limit: 10 });
    const mine = (history['messages'] as Json[]).find((m) => m['guid'] === bobMessage)!;
    expect(mine['reactions']).toEqual([expect.objectContaining({ type: 'custom', emoji: '🎉', sender: ALICE, is_from_me: false })]);
  });

  test('edit and unsend change the same row in both chat.dbs', async () => {
    await ok(bob, 'message.edit', { chat_guid: dmGuid(ALICE), message_id: bobMessage, text: 'tracked hello (edited)' });
    for (const account of ['alice', 'bob'] as const) {
      const row = one(
        account,
        'SELECT text, attributedBody AS body, date_edited > 0 AS edited, message_summary_info IS NOT NULL AS info FROM message WHERE guid = ?',
        bobMessage,
      );
      expect({ ...row, body: decodeAttributedBody(row['body']) }).toEqual({ text: null, body: 'tracked hello (edited)', edited: 1, info: 1 });
    }
    const after = await ok(alice, 'messages.after', { since_rowid: 0, limit: 500 });
    expect((after['messages'] as Json[]).find((m) => m['guid'] === bobMessage)!['text']).toBe('tracked hello (edited)');
    expect((await call(alice, 'message.edit', { chat_guid: dmGuid(BOB), message_id: bobMessage, text: 'not mine' }))['error']).toMatchObject({
      code: -32001,
      data: { disposition: 'may_have_completed', operation: 'edit-message' },
    });
    await ok(bob, 'message.unsend', { chat_guid: dmGuid(ALICE), message_id: bobMessage });
    for (const account of ['alice', 'bob'] as const) {
      expect(one(account, 'SELECT text, attributedBody AS body, date_retracted > 0 AS gone FROM message WHERE guid = ?', bobMessage)).toEqual({
        text: null,
        body: null,
        gone: 1,
      });
    }
  });

  test('typing reaches the other account as a bridge event', async () => {
    const { subscription } = await ok(bob, 'bridge.events.subscribe', {});
    await ok(alice, 'typing', { to: BOB });
    const n = await bob.nextJson<Json>((v) => v['method'] === 'bridge.event' && v['params']['subscription'] === subscription);
    expect(n['params']['event']).toMatchObject({ event: 'started-typing', data: { chatGuid: dmGuid(ALICE) } });
    await ok(alice, 'typing', { chat_guid: dmGuid(BOB), typing: false });
    const stop = await bob.nextJson<Json>((v) => v['method'] === 'bridge.event' && v['params']['subscription'] === subscription);
    expect(stop['params']['event']['event']).toBe('stopped-typing');
    await ok(bob, 'watch.unsubscribe', { subscription });
  });

  test('rich, attachment, multipart and threaded sends write their columns on both sides', async () => {
    const chat = { chat_guid: dmGuid(BOB) };
    const rich = await ok(alice, 'send.rich', { ...chat, text: 'party', effect: 'confetti', subject: 'News' });
    const file = dir.join('pic.png');
    writeFileSync(file, 'png bytes');
    const attachment = await ok(alice, 'send.attachment', { ...chat, file });
    const multi = await ok(alice, 'send.multipart', {
      ...chat,
      parts: [{ text: 'one ' }, { text: 'two' }],
      effect_id: 'com.apple.MobileSMS.expressivesend.loud',
    });
    expect(multi).toMatchObject({ parts_count: 2, id: expect.any(Number), chat_guid: dmGuid(BOB) });
    const reply = await ok(alice, 'send', { ...chat, text: 'replying', reply_to: rich['guid'] });
    for (const account of ['alice', 'bob'] as const) {
      expect(one(account, 'SELECT expressive_send_style_id AS e, subject FROM message WHERE guid = ?', rich['guid'])).toEqual({
        e: 'com.apple.messages.effect.CKConfettiEffect',
        subject: 'News',
      });
      expect(
        sql(
          account,
          'SELECT a.transfer_name AS name, a.total_bytes AS n FROM message m JOIN message_attachment_join j ON j.message_id = m.ROWID JOIN attachment a ON a.ROWID = j.attachment_id WHERE m.guid = ?',
          attachment['guid'],
        ),
      ).toEqual([{ name: 'pic.png', n: 9 }]);
      expect(one(account, 'SELECT text, part_count FROM message WHERE guid = ?', multi['guid'])).toEqual({ text: 'one two', part_count: 2 });
      expect(one(account, 'SELECT thread_originator_guid AS t, thread_originator_part AS p FROM message WHERE guid = ?', reply['guid'])).toEqual({
        t: rich['guid'],
        p: '0:0:5',
      });
    }
  });

  test('group actions: rename, members in and out, photo, leave — rows and membership everywhere', async () => {
    const group = world.inject({ from: CAROL, text: 'hey both', group: { name: 'Trio', members: [CAROL, ALICE, BOB] } });
    const g = { chat_guid: group.chatGuid };
    await ok(alice, 'group.rename', { ...g, name: 'Quartet' });
    await ok(alice, 'group.addParticipant', { ...g, address: '+14155550777' });
    await ok(alice, 'group.removeParticipant', { ...g, address: '+14155550777' });
    await ok(alice, 'group.setIcon', g);
    await ok(bob, 'group.leave', g);
    const events = (account: 'alice' | 'bob') =>
      sql(
        account,
        'SELECT item_type AS i, group_action_type AS a, group_title AS t FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID JOIN chat c ON c.ROWID = j.chat_id WHERE c.guid = ? AND item_type <> 0 ORDER BY m.ROWID',
        group.chatGuid,
      );
    const expected = [
      { i: 2, a: 0, t: 'Quartet' },
      { i: 1, a: 0, t: null },
      { i: 1, a: 1, t: null },
      { i: 3, a: 2, t: null },
      { i: 3, a: 0, t: null },
    ];
    expect(events('alice')).toEqual(expected);
    expect(events('bob')).toEqual(expected);
    for (const account of ['alice', 'bob'] as const)
      expect(one(account, 'SELECT display_name FROM chat WHERE guid = ?', group.chatGuid)).toEqual({ display_name: 'Quartet' });
    const members = sql(
      'alice',
      'SELECT h.id FROM chat_handle_join j JOIN handle h ON h.ROWID = j.handle_id JOIN chat c ON c.ROWID = j.chat_id WHERE c.guid = ? ORDER BY h.id',
      group.chatGuid,
    );
    expect(members.map((r) => r['id'])).toEqual([CAROL]);
  });

  test('local delete, mark unread, handles.check', async () => {
    const sent = await ok(alice, 'send', { chat_guid: dmGuid(BOB), text: 'delete me' });
    await ok(alice, 'message.delete', { chat_guid: dmGuid(BOB), message_id: sent['guid'] });
    expect(sql('alice', 'SELECT 1 FROM message WHERE guid = ?', sent['guid'])).toEqual([]);
    expect(sql('bob', 'SELECT 1 AS x FROM message WHERE guid = ?', sent['guid'])).toEqual([{ x: 1 }]);
    await ok(bob, 'chats.markUnread', { chat_guid: dmGuid(ALICE) });
    const newest = sql('bob', 'SELECT is_read FROM message WHERE is_from_me = 0 AND item_type = 0 AND associated_message_type = 0 ORDER BY ROWID DESC LIMIT 1');
    expect(newest).toEqual([{ is_read: 0 }]);
    expect(await ok(alice, 'handles.check', { address: BOB })).toMatchObject({ ok: true, available: true, destination: `tel:${BOB}` });
  });
});
