import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { tempDir, type TempDir } from '@imsg-hub/testkit';
import { ChatDbReader } from './chat-db-reader.js';
import { createImsgFixtureDb } from './fixture-db.js';
import { probeSchema } from './schema-probe.js';
import { SimWorld } from './world.js';

let dir: TempDir;
beforeEach(() => {
  dir = tempDir('sim-reader-');
});
afterEach(async () => {
  await dir[Symbol.asyncDispose]();
});

describe('a minimal-schema chat.db (imsg CommandTestDatabase)', () => {
  test('probes optional columns as absent and still serves chats and history', () => {
    const path = dir.join('chat.db');
    createImsgFixtureDb(path);
    const reader = new ChatDbReader(path);
    try {
      expect(reader.schema).toMatchObject({ hasReactionColumns: false, hasDestinationCallerId: false, hasMessageDate: false });
      const chats = reader.listChats(10);
      expect(chats).toEqual([
        expect.objectContaining({ id: 1, identifier: 'iMessage;+;chat123', name: 'Group Chat', is_group: true, participants: ['+123', 'me@icloud.com'] }),
      ]);
      const [m] = reader.history({ chatId: 1, limit: 5, participants: [], attachments: true });
      expect(m).toMatchObject({
        id: 5,
        chat_id: 1,
        guid: '',
        sender: '+123',
        text: 'hello',
        is_group: true,
        chat_name: 'Group Chat',
        reactions: [],
        attachments: [],
      });
      expect(m).not.toHaveProperty('destination_caller_id');
    } finally {
      reader.close();
    }
  });

  test('without chat_handle_join participants are empty', () => {
    const path = dir.join('chat.db');
    createImsgFixtureDb(path, { chatHandleJoin: false });
    const reader = new ChatDbReader(path);
    expect(reader.chatInfo(1)?.participants).toEqual([]);
    reader.close();
  });

  test('a db lacking a required column is refused, naming it', () => {
    const path = dir.join('bad.db');
    const db = new Database(path);
    db.exec('CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT)');
    expect(() => probeSchema(db)).toThrow(/message lacks column\(s\) handle_id, date, is_from_me, service/);
    db.close();
  });

  test('watch pages give unjoined rows chat_id 0, filters and the attachment file check', () => {
    const path = dir.join('chat.db');
    createImsgFixtureDb(path);
    const home = dir.join('home');
    mkdirSync(join(home, 'pics'), { recursive: true });
    writeFileSync(join(home, 'pics', 'a.jpg'), 'jpeg');
    const db = new Database(path);
    db.exec(`INSERT INTO message (ROWID, handle_id, text, date, is_from_me, service) VALUES (6, 1, '', 0, 0, 'iMessage');
      INSERT INTO attachment VALUES (1, '~/pics/a.jpg', 'a.jpg', 'public.jpeg', 'image/jpeg', 4, 0), (2, '/nowhere/b.png', 'b.png', 'public.png', NULL, NULL, 1);
      INSERT INTO message_attachment_join VALUES (6, 1), (6, 2);`);
    db.close();
    const savedHome = process.env['HOME'];
    process.env['HOME'] = home;
    const reader = new ChatDbReader(path);
    try {
      const page = reader.messagesAfter({ cursor: 5, limit: 100, includeReactions: false, attachments: true });
      expect(page.payloads).toHaveLength(1);
      const m = page.payloads[0]!;
      expect(m).toMatchObject({ id: 6, chat_id: 0, chat_guid: '', participants: [], is_group: false, created_at: '2001-01-01T00:00:00.000Z' });
      expect(m['attachments']).toEqual([
        {
          filename: '~/pics/a.jpg',
          transfer_name: 'a.jpg',
          uti: 'public.jpeg',
          mime_type: 'image/jpeg',
          total_bytes: 4,
          is_sticker: false,
          original_path: join(home, 'pics', 'a.jpg'),
          missing: false,
        },
        {
          filename: '/nowhere/b.png',
          transfer_name: 'b.png',
          uti: 'public.png',
          mime_type: '',
          total_bytes: 0,
          is_sticker: true,
          original_path: '/nowhere/b.png',
          missing: true,
        },
      ]);
      expect(reader.messagesAfter({ cursor: 5, chatId: 1, limit: 100, includeReactions: false, attachments: false }).rows).toEqual([]);
    } finally {
      reader.close();
      process.env['HOME'] = savedHome;
    }
  });
});

describe('a full-schema chat.db written by the simulator', () => {
  test('history is newest first, excludes tapbacks and aggregates them; replies carry parent text', () => {
    const world = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'chat.db', handles: ['me@example.com'] }] }, dir.join('w.json'));
    // .121 is one of the ms values a double-based nanos→ISO conversion gets wrong by 1 ms.
    const t0 = Date.parse('2026-05-16T15:24:36.121Z');
    const a = world.inject({ from: '+14155550101', text: 'lunch?', date: t0 });
    world.inject({ from: '+14155550101', reaction: { target: a.guid, type: 'like' }, date: t0 + 1000 });
    world.inject({ from: '+14155550101', reaction: { target: a.guid, type: 'love' }, date: t0 + 2000 });
    world.inject({ from: '+14155550101', reaction: { target: a.guid, type: 'love', remove: true }, date: t0 + 3000 });
    world.inject({ from: '+14155550101', reaction: { target: a.guid, type: 'custom', emoji: '🎉' }, date: t0 + 4000 });
    const reply = world.inject({ from: '+14155550101', text: 'yes!', replyTo: a.guid, date: t0 + 5000 });
    world.close();
    const reader = new ChatDbReader(dir.join('chat.db'));
    try {
      const messages = reader.history({ chatId: 1, limit: 50, participants: [], attachments: false });
      expect(messages.map((m) => m['text'])).toEqual(['yes!', 'lunch?']);
      expect(messages[1]!['created_at']).toBe('2026-05-16T15:24:36.121Z');
      expect((messages[1]!['reactions'] as { type: string; emoji: string }[]).map((r) => [r.type, r.emoji])).toEqual([
        ['like', '👍'],
        ['custom', '🎉'],
      ]);
      expect(messages[0]).toMatchObject({
        guid: reply.guid,
        thread_originator_guid: a.guid,
        reply_to_text: 'lunch?',
        reply_to_sender: '+14155550101',
        destination_caller_id: 'me@example.com',
      });
      expect(messages[1]).not.toHaveProperty('reply_to_text');
      const events = reader.messagesAfter({ cursor: 0, limit: 100, includeReactions: true, attachments: false }).payloads;
      const removal = events.find((e) => e['is_reaction_add'] === false)!;
      expect(removal).toMatchObject({
        is_reaction: true,
        reaction_type: 'love',
        reaction_emoji: '❤️',
        reacted_to_guid: a.guid,
        text: 'Removed a heart from “lunch?”',
      });
      expect(removal).not.toHaveProperty('thread_originator_guid');
      expect(reader.messagesAfter({ cursor: 0, limit: 100, includeReactions: false, attachments: false }).rows).toHaveLength(2);
      expect(reader.history({ chatId: 1, limit: 50, participants: ['+14155550101'], attachments: false, startMs: t0 + 1 })).toHaveLength(1);
    } finally {
      reader.close();
    }
  });
});
