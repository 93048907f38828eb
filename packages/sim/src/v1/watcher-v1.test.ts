import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { tempDir, waitFor, type TempDir } from '@imsg-hub/testkit';
import { DbChangeSource } from '../db-change-source.js';
import { SimWorld } from '../world.js';
import { ChatDbReaderV1 } from './chat-db-reader-v1.js';
import { UNRESOLVED_CHAT_RETRIES, WatcherV1, type WatchV1Options } from './watcher-v1.js';

type Json = Record<string, any>;

let dir: TempDir;
let world: SimWorld;
let reader: ChatDbReaderV1;
let changes: DbChangeSource;
const watchers: WatcherV1[] = [];

beforeEach(() => {
  dir = tempDir('watcher-v1-');
  world = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'chat.db', handles: ['me@example.com'] }] }, dir.join('w.json'));
  reader = new ChatDbReaderV1(dir.join('chat.db'));
  changes = new DbChangeSource(dir.join('chat.db'));
});
afterEach(async () => {
  for (const w of watchers) await w.stop();
  watchers.length = 0;
  changes.close();
  reader.close();
  world.close();
  await dir[Symbol.asyncDispose]();
});

/** A watcher whose sink records what it writes; `slowWrites` holds each write until released. */
function watch(options: Partial<WatchV1Options>, slowWrites = false) {
  const out: { kind: string; value: Json | number | string }[] = [];
  let release: (() => void) | undefined;
  let ended = false;
  const w = new WatcherV1(
    reader,
    changes,
    {
      sinceRowId: undefined,
      includeReactions: false,
      attachments: false,
      participants: [],
      debounceMs: 0,
      pollMs: 60_000,
      bufferLimit: 256,
      silent: () => false,
      ...options,
    },
    {
      message: async (m) => {
        out.push({ kind: 'message', value: m });
        if (slowWrites) await new Promise<void>((r) => (release = r));
      },
      overflow: async (resume) => void out.push({ kind: 'overflow', value: resume }),
      error: async (message) => void out.push({ kind: 'error', value: message }),
      ended: () => {
        ended = true;
      },
    },
  );
  watchers.push(w);
  w.prepare();
  w.start();
  return { out, ended: () => ended, release: () => release?.() };
}

const texts = (out: { kind: string; value: unknown }[]) => out.filter((o) => o.kind === 'message').map((o) => (o.value as Json)['text']);

describe('WatcherV1 (MessageWatcher@4c32b80e)', () => {
  test('a backlog drains at once, page after page, without waiting for the fallback poll (0.15 pacing)', async () => {
    world.injectMany(Array.from({ length: 1050 }, (_, i) => ({ from: '+14155550101', text: `m${i}` })));
    const { out } = watch({ sinceRowId: -1, bufferLimit: 4096 });
    await waitFor(() => out.length === 1050);
    expect(texts(out).at(-1)).toBe('m1049');
  });

  test('since_rowid omitted or 0 starts at the tail; -1 replays; filters run before the buffer', async () => {
    world.inject({ from: '+14155550101', text: 'old' });
    const tail = watch({});
    const zero = watch({ sinceRowId: 0 });
    const replay = watch({ sinceRowId: -1, participants: ['+14155550102'] });
    world.inject({ from: '+14155550102', text: 'new' });
    await waitFor(() => tail.out.length === 1 && zero.out.length === 1 && replay.out.length === 1);
    expect([texts(tail.out), texts(zero.out), texts(replay.out)]).toEqual([['new'], ['new'], ['new']]);
  });

  test('overflow: the buffered rows drain, then one terminal watch.overflow at the last buffered rowid', async () => {
    world.injectMany(Array.from({ length: 10 }, (_, i) => ({ from: '+14155550101', text: `b${i}` })));
    const w = watch({ sinceRowId: -1, bufferLimit: 3 }, true);
    await waitFor(() => w.out.length === 1);
    for (let i = 0; i < 5; i++) {
      w.release();
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => w.ended());
    // A poll admits its whole batch before the first write: three fit, the fourth ends the stream.
    expect(texts(w.out)).toEqual(['b0', 'b1', 'b2']);
    expect(w.out.at(-1)).toEqual({ kind: 'overflow', value: 3 });
  });

  test('a row whose chat is not joined yet is retried, then dropped; later rows still come', async () => {
    const w = world.writer('me');
    w.insertMessage({
      guid: 'UNJOINED',
      chatRowId: undefined,
      handleRowId: 0,
      text: 'orphan',
      dateNanos: 1n,
      isFromMe: false,
      service: 'iMessage',
      destinationCallerId: '',
    });
    const live = watch({ sinceRowId: -1 });
    world.inject({ from: '+14155550101', text: 'after the orphan' });
    await waitFor(() => live.out.length === 1, 10_000);
    expect(texts(live.out)).toEqual(['after the orphan']);
    expect(UNRESOLVED_CHAT_RETRIES).toBe(20);
  });

  test('stop is silent and final; a stalled (silent) watch emits nothing while rows arrive', async () => {
    let silent = false;
    const w = watch({ silent: () => silent });
    world.inject({ from: '+14155550101', text: 'heard' });
    await waitFor(() => w.out.length === 1);
    silent = true;
    world.inject({ from: '+14155550101', text: 'unheard' });
    const db = new Database(dir.join('chat.db'), { readonly: true });
    expect((db.prepare("SELECT COUNT(*) AS n FROM message WHERE text = 'unheard'").get() as { n: number }).n).toBe(1);
    db.close();
    await watchers[0]!.stop();
    expect(texts(w.out)).toEqual(['heard']);
  });
});
