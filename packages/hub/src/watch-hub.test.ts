import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubMessage, Row } from '@imsg-hub/hub-protocol';
import type { ImsgMessage } from '@imsg-hub/imsg-protocol';
import { SqliteStore } from '@imsg-hub/store/open';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommitFeed } from './commit-feed.js';
import { IngestQueue } from './ingest-queue.js';
import { MessageModel } from './model/message-model.js';
import { type NotificationSink, WatchHub } from './watch-hub.js';

let dir: string;
let store: SqliteStore;
let model: MessageModel;
let feed: CommitFeed;
let ingest: IngestQueue;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'watch-hub-'));
  store = new SqliteStore(join(dir, 'hub.db'));
  model = await MessageModel.load(store);
  await model.ensureAccount('a');
  await model.ensureAccount('b');
  feed = new CommitFeed();
  ingest = new IngestQueue(model, feed);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function row(rowid: number, guid: string, chatGuid: string): Row {
  const m: ImsgMessage = {
    id: rowid,
    chat_id: rowid,
    guid,
    sender: '+15550001',
    is_from_me: false,
    text: guid,
    created_at: '2026-01-01T00:00:00.000Z',
    attachments: [],
    reactions: [],
    chat_identifier: chatGuid.split(';')[2]!,
    chat_guid: chatGuid,
    chat_name: 'G',
    participants: ['+15550001'],
    is_group: true,
  };
  return { rowid, message: m };
}

/** A sink that collects what a subscription delivers. */
function sink(): NotificationSink & { got: HubMessage[] } {
  const got: HubMessage[] = [];
  return {
    got,
    bufferedBytes: () => 0,
    notify: async (_method, params) => {
      const p = params as { message?: HubMessage; messages?: HubMessage[] };
      got.push(...(p.messages ?? (p.message ? [p.message] : [])));
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

/** Commits one row through the ingest queue; the feed tells the watch hub. */
async function commit(_watch: WatchHub, account: string, r: Row): Promise<void> {
  const out = await ingest.submit({ account, epoch: 1, rows: [r] });
  if (!out.ok) throw new Error('ingest refused');
}

describe('WatchHub', () => {
  it('a merged watch of one chat gets the message that links two accounts’ chats of a group, once', async () => {
    // The group has a different chat guid in each account's chat.db: linked only by shared message guids.
    const watch = new WatchHub(model, feed);
    await commit(watch, 'b', row(1, 'B-ONLY', 'iMessage;+;chatB'));
    const bChat = model.chats({ scope: undefined, merged: false, limit: 5, account: 'b' })[0]!.id;
    const live = sink();
    watch.subscribe(live, { merged: true, chatId: bChat, includeReactions: true }, undefined);
    await tick();
    await commit(watch, 'a', row(1, 'SHARED', 'iMessage;+;chatA')); // a's copy first, in a chat not yet linked
    await commit(watch, 'b', row(2, 'SHARED', 'iMessage;+;chatB')); // b's copy links the chats
    await commit(watch, 'a', row(2, 'NEXT', 'iMessage;+;chatA')); // now in the same conversation
    await tick();
    expect(live.got.map((m) => m.guid)).toEqual(['SHARED', 'NEXT']);

    const replay = sink();
    watch.subscribe(replay, { merged: true, chatId: bChat, includeReactions: true }, 0);
    await tick();
    expect(replay.got.map((m) => m.guid)).toEqual(['B-ONLY', 'SHARED', 'NEXT']);
  });

  it('an all-chats merged watch delivers a shared message once, from its first copy', async () => {
    const watch = new WatchHub(model, feed);
    const all = sink();
    watch.subscribe(all, { merged: true, includeReactions: true }, undefined);
    await tick();
    await commit(watch, 'a', row(1, 'SHARED', 'iMessage;+;chatA'));
    await commit(watch, 'b', row(1, 'SHARED', 'iMessage;+;chatB'));
    await tick();
    expect(all.got.map((m) => [m.guid, m.account])).toEqual([['SHARED', 'a']]);
    const perAccount = sink();
    watch.subscribe(perAccount, { merged: false, accounts: ['b'], includeReactions: true }, 0);
    await tick();
    expect(perAccount.got.map((m) => [m.guid, m.account])).toEqual([['SHARED', 'b']]);
  });

  it('bounds the subscriptions one connection may hold', () => {
    const watch = new WatchHub(model, feed);
    const greedy = sink();
    for (let i = 0; i < 64; i++) watch.subscribe(greedy, { merged: true }, undefined);
    expect(() => watch.subscribe(greedy, { merged: true }, undefined)).toThrow(/already has 64 subscriptions/);
    expect(() => watch.subscribe(sink(), { merged: true }, undefined)).not.toThrow();
    watch.dropSink(greedy);
    expect(watch.size).toBe(1);
  });
});
