import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from '@imsg-hub/hub-protocol';
import type { CommitRecords } from '@imsg-hub/store';
import { SqliteStore } from '@imsg-hub/store/open';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Commit, CommitFeed } from './commit-feed.js';
import { IngestQueue } from './ingest-queue.js';
import { MessageModel } from './model/message-model.js';

/** A real SQLite store whose commit fails whenever a record carries the poison text. */
class PoisonableStore extends SqliteStore {
  override async commit(records: CommitRecords): Promise<void> {
    if (records.messages.some((m) => m.body.text === 'poison')) throw new RangeError('Maximum call stack size exceeded');
    return super.commit(records);
  }
}

let dir: string;
let store: PoisonableStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ingest-queue-'));
  store = new PoisonableStore(join(dir, 'hub.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const row = (rowid: number, text: string, chat: string): Row => ({
  rowid,
  message: {
    id: rowid,
    chat_id: 1,
    guid: `${chat}-${rowid}`,
    sender: chat,
    is_from_me: false,
    text,
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

it('a batch the store cannot commit fails alone: the other batches of its group are stored and announced', async () => {
  const model = await MessageModel.load(store);
  for (const a of ['alice', 'bob', 'carol']) await model.ensureAccount(a);
  const feed = new CommitFeed();
  const commits: Commit[] = [];
  feed.subscribe((c) => commits.push(c));
  const queue = new IngestQueue(model, feed);
  // Submitted in one turn: one group commit.
  const results = await Promise.allSettled([
    queue.submit({ account: 'alice', epoch: 1, rows: [row(1, 'hi', '+15550001')] }),
    queue.submit({ account: 'bob', epoch: 1, rows: [row(1, 'poison', '+15550002')] }),
    queue.submit({ account: 'carol', epoch: 1, rows: [row(1, 'hello', '+15550003'), row(2, 'again', '+15550003')] }),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(RangeError);
  const stored = await model.after(0, { merged: false }, 10);
  expect(stored.map((m) => [m.account, m.text, m.id])).toEqual([
    ['alice', 'hi', 1],
    ['carol', 'hello', 2],
    ['carol', 'again', 3],
  ]);
  expect(commits.flatMap((c) => c.records.map((r) => r.seq))).toEqual([1, 2, 3]);
  // Nothing of the failed batch stuck in memory: bob's cursor did not move and his next rows store.
  expect(model.accounts.get('bob')).toMatchObject({ hwm: 0, messageCount: 0 });
  expect(model.chats({ scope: ['bob'], account: undefined, merged: false, limit: 10 })).toEqual([]);
  await expect(queue.submit({ account: 'bob', epoch: 1, rows: [row(1, 'fine now', '+15550002')] })).resolves.toMatchObject({ ok: true, acked: 1 });
  expect((await model.after(3, { merged: false }, 10)).map((m) => [m.account, m.id])).toEqual([['bob', 4]]);
});

it('a batch that follows one the store refused is refused too (ROWS_GAP): the mark never passes rows that were not stored', async () => {
  const model = await MessageModel.load(store);
  await model.ensureAccount('bob');
  const queue = new IngestQueue(model, new CommitFeed());
  const results = await Promise.allSettled([
    queue.submit({ account: 'bob', epoch: 1, after: 0, rows: [row(1, 'poison', '+15550002'), row(2, 'x', '+15550002')] }),
    queue.submit({ account: 'bob', epoch: 1, after: 2, rows: [row(3, 'next', '+15550002')] }),
  ]);
  expect(results[0]!.status).toBe('rejected');
  expect(results[1]).toMatchObject({ status: 'fulfilled', value: { ok: false, reason: 'ROWS_GAP', current: 0 } });
  expect(model.accounts.get('bob')!.hwm).toBe(0);
  // Resent from the mark once the bad row is gone: everything is stored.
  await queue.submit({ account: 'bob', epoch: 1, after: 0, rows: [row(1, 'fixed', '+15550002'), row(2, 'x', '+15550002'), row(3, 'next', '+15550002')] });
  expect((await model.after(0, { merged: false }, 10)).map((m) => m.native_id)).toEqual([1, 2, 3]);
});
