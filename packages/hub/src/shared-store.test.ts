import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from '@imsg-hub/hub-protocol';
import { SqliteStore } from '@imsg-hub/store/open';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Commit, CommitFeed } from './commit-feed.js';
import { IngestQueue } from './ingest-queue.js';
import { MessageModel } from './model/message-model.js';

// Two hubs on one store, in one process: two connections to one SQLite file stand in for two hubs on
// one PostgreSQL database (test/postgres-two-hubs.test.ts runs the real thing).
let dir: string;
let stores: SqliteStore[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shared-store-'));
  stores = [new SqliteStore(join(dir, 'hub.db')), new SqliteStore(join(dir, 'hub.db'))];
});
afterEach(async () => {
  for (const s of stores) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const row = (rowid: number, chat: string): Row => ({
  rowid,
  message: {
    id: rowid,
    chat_id: 1,
    guid: `${chat}-${rowid}`,
    sender: chat,
    is_from_me: false,
    text: `m${rowid}`,
    created_at: '2026-01-01T00:00:00.000Z',
    attachments: [],
    reactions: [],
    chat_identifier: chat,
    chat_guid: `iMessage;-;${chat}`,
    chat_name: '',
    participants: [chat],
    is_group: false,
  },
});

async function hub(store: SqliteStore) {
  const model = await MessageModel.load(store);
  for (const a of ['alice', 'bob']) await model.ensureAccount(a);
  const feed = new CommitFeed();
  const commits: Commit[] = [];
  let announced: (() => void) | undefined;
  feed.subscribe((c) => {
    commits.push(c);
    announced?.();
  });
  /** Resolves once the feed has announced `n` commits. */
  const announcedCount = (n: number) =>
    new Promise<void>((resolve) => {
      announced = () => commits.length >= n && resolve();
      announced();
    });
  return { model, queue: new IngestQueue(model, feed), commits, announcedCount };
}

it("takes in another hub's commits and announces them in order", async () => {
  const a = await hub(stores[0]!);
  const b = await hub(stores[1]!);
  await a.queue.submit({ account: 'alice', epoch: 1, rows: [row(1, '+1555'), row(2, '+1555')] });
  b.queue.absorb(2);
  await b.announcedCount(1);
  expect(b.model.maxSeq).toBe(2);
  expect(b.commits.map((c) => [c.previousMax, c.max, c.records.map((r) => r.seq)])).toEqual([[0, 2, [1, 2]]]);
  // It knows the other hub's chats and accounts too.
  expect(b.model.findChat({ account: 'alice', identifier: '+1555' })).toHaveLength(1);
  expect(b.model.accounts.get('alice')!.hwm).toBe(2);
  // An announcement it already knows of changes nothing: its own next commit is announced whole.
  b.queue.absorb(2);
  await b.queue.submit({ account: 'bob', epoch: 1, rows: [row(1, '+1666')] });
  expect(b.commits.map((c) => [c.previousMax, c.max])).toEqual([
    [0, 2],
    [2, 3],
  ]);
});

it('plans again when another hub committed first, and tells watches to read the store for the rows between', async () => {
  const a = await hub(stores[0]!);
  const b = await hub(stores[1]!);
  await a.queue.submit({ account: 'alice', epoch: 1, rows: [row(1, '+1555')] });
  // b has not heard of a's commit: its first plan takes seq 1, which is taken.
  const outcome = await b.queue.submit({ account: 'bob', epoch: 1, rows: [row(1, '+1666'), row(2, '+1666')] });
  expect(outcome).toMatchObject({ ok: true, acked: 2 });
  expect((await stores[1]!.messages({ order: 'asc', limit: 10 })).map((m) => [m.seq, m.account])).toEqual([
    [1, 'alice'],
    [2, 'bob'],
    [3, 'bob'],
  ]);
  // Its own rows are 2..3, but the commit is announced with previousMax -1: seq 1 is the other hub's.
  expect(b.commits.map((c) => [c.previousMax, c.max, c.records.map((r) => r.seq)])).toEqual([[-1, 3, [2, 3]]]);
  // Chat ids did not collide either.
  const chats = await stores[0]!.chats();
  expect(new Set(chats.map((c) => c.id)).size).toBe(chats.length);
});
