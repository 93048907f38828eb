import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { tempDir, type TempDir } from '@imsg-hub/testkit';
import { SimWorld } from './world.js';
import { readSimMeta } from './sim-meta.js';

const CONFIG = {
  version: 1,
  accounts: [
    { name: 'alice', db: 'alice/chat.db', handles: ['alice@example.com', '+14155550101'] },
    { name: 'bob', db: 'bob/chat.db', handles: ['bob@example.com'] },
  ],
};

let dir: TempDir;
let world: SimWorld;
beforeEach(() => {
  dir = tempDir('sim-world-');
  world = SimWorld.create(CONFIG, dir.join('world.json'));
});
afterEach(async () => {
  world.close();
  await dir[Symbol.asyncDispose]();
});

describe('SimWorld', () => {
  test('each chat.db records its world and account', () => {
    expect(readSimMeta(world.info('bob').dbPath)).toEqual({ world: dir.join('world.json'), account: 'bob', handles: ['bob@example.com'] });
    const reopened = SimWorld.forDb(world.info('alice').dbPath);
    expect(reopened.account).toBe('alice');
    expect(reopened.world.accounts.map((a) => a.name)).toEqual(['alice', 'bob']);
    reopened.world.close();
  });

  test('a send from alice to a handle of bob lands incoming at bob with the same guid', () => {
    const out = world.send({ account: 'alice', to: 'BOB@example.com', text: 'hi bob' });
    const sent = world.account('alice').messageByGuid(out.rows[0]!.guid)!;
    expect(sent).toMatchObject({ isFromMe: true, text: 'hi bob', destinationCallerId: 'alice@example.com', chatGuid: 'iMessage;-;bob@example.com' });
    const got = world.account('bob').messageByGuid(out.rows[0]!.guid)!;
    expect(got).toMatchObject({
      isFromMe: false,
      text: 'hi bob',
      handle: 'alice@example.com',
      destinationCallerId: 'bob@example.com',
      chatGuid: 'iMessage;-;alice@example.com',
    });
    expect(out.delivered).toEqual([{ account: 'bob', rowid: got.rowid, guid: got.guid }]);
  });

  test('a group with both accounts has one chat guid in both dbs, and sends into it are delivered', () => {
    const first = world.inject({
      from: '+14155550999',
      text: 'welcome',
      group: { name: 'Trip', members: ['+14155550999', '+1 415 555 0101', 'bob@example.com'] },
    });
    expect(first.rows.map((r) => r.account).sort()).toEqual(['alice', 'bob']);
    expect(first.chatGuid).toMatch(/^iMessage;\+;chat\d{18}$/);
    const aliceChat = world.account('alice').chatByGuid(first.chatGuid)!;
    const bobChat = world.account('bob').chatByGuid(first.chatGuid)!;
    expect(aliceChat.participants).toEqual(['+14155550999', 'bob@example.com']);
    expect(bobChat.participants).toEqual(['+14155550101', '+14155550999']);
    expect(world.account('alice').messageByGuid(first.guid)!.destinationCallerId).toBe('+14155550101');
    const out = world.send({ account: 'bob', chatGuid: first.chatGuid, text: 'on my way' });
    const atAlice = world.account('alice').messageByGuid(out.rows[0]!.guid)!;
    expect(atAlice).toMatchObject({ isFromMe: false, handle: 'bob@example.com', chatGuid: first.chatGuid });
    expect(world.account('bob').messageByGuid(out.rows[0]!.guid)).toMatchObject({ isFromMe: true, handle: '' });
  });

  test('text and file are two rows; the file is copied into each account', () => {
    const file = dir.join('photo.jpg');
    writeFileSync(file, 'not really a jpeg');
    const out = world.send({ account: 'alice', to: 'bob@example.com', text: 'look', file });
    expect(out.rows.map((r) => r.text)).toEqual(['look', '\ufffc']);
    const atBob = world.account('bob').messageByGuid(out.rows[1]!.guid)!;
    expect(atBob.attachments).toEqual([{ filename: expect.stringContaining(dir.join('bob', 'Attachments')), transferName: 'photo.jpg', totalBytes: 17 }]);
  });

  test('injectMany loads in one transaction per db', () => {
    const specs = Array.from({ length: 500 }, (_, i) => ({ account: 'bob', from: '+14155550777', text: `bulk ${i}` }));
    const results = world.injectMany(specs);
    expect(results).toHaveLength(500);
    expect(world.account('bob').maxRowId()).toBe(results.at(-1)!.rows[0]!.rowid);
  });

  test('bad configs name the key and what was expected', () => {
    expect(() => SimWorld.create({ version: 1, accounts: [{ name: 'a', db: 'a.db', handles: [] }] }, dir.join('x.json'))).toThrow(
      /accounts\.0\.handles: expected at least one handle/,
    );
    expect(() =>
      SimWorld.create({ version: 1, accounts: [CONFIG.accounts[0], { name: 'c', db: 'c.db', handles: ['+1 (415) 555-0101'] }] }, dir.join('y.json')),
    ).toThrow(/accounts\.1\.handles\.0: handle \+1 \(415\) 555-0101 already belongs to alice/);
    expect(() => SimWorld.create({ version: 2, accounts: [] }, dir.join('z.json'))).toThrow(/version/);
  });
});
