import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from '@imsg-hub/hub-protocol';
import type { ImsgMessage } from '@imsg-hub/imsg-protocol';
import { SqliteStore } from '@imsg-hub/store/open';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type IngestBatch, MessageModel } from '../index.js';

// The ingest rules and views of the hub's message model, over a real SQLite store.
let dir: string;
let store: SqliteStore;
let model: MessageModel;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'model-test-'));
  store = new SqliteStore(join(dir, 'hub.db'));
  model = await MessageModel.load(store);
  await model.ensureAccount('alice');
  await model.ensureAccount('bob');
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ingest = (batches: IngestBatch[]) => model.commit(batches);
const all = (filter: Parameters<MessageModel['after']>[1], limit: number) => model.after(0, filter, limit);
const chatList = (q: { merged: boolean; limit: number }) => model.chats({ scope: undefined, account: undefined, ...q });

function msg(rowid: number, over: Partial<ImsgMessage> = {}): Row {
  return {
    rowid,
    message: {
      id: rowid,
      chat_id: 1,
      guid: `G-${rowid}`,
      sender: '+15550001',
      is_from_me: false,
      text: `hello ${rowid}`,
      created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, rowid)).toISOString(),
      attachments: [],
      reactions: [],
      chat_identifier: '+15550001',
      chat_guid: 'iMessage;-;+15550001',
      chat_name: '',
      participants: ['+15550001'],
      is_group: false,
      ...over,
    },
  };
}

describe('MessageModel ingest', () => {
  it('assigns increasing hub ids, acks cumulatively and never doubles a row', async () => {
    const [first] = await ingest([{ account: 'alice', epoch: 1, rows: [msg(1), msg(2), msg(3)] }]);
    expect(first).toMatchObject({ ok: true, acked: 3 });
    const [again] = await ingest([{ account: 'alice', epoch: 1, rows: [msg(2), msg(3), msg(4)] }]);
    expect(again).toMatchObject({ ok: true, acked: 4 });
    const every = await all({ merged: false }, 100);
    expect(every.map((m) => m.native_id)).toEqual([1, 2, 3, 4]);
    expect(every.map((m) => m.id)).toEqual([1, 2, 3, 4]);
    expect(new Set(every.map((m) => m.chat_id)).size).toBe(1);
    expect(model.accounts.get('alice')).toMatchObject({ hwm: 4, messageCount: 4 });
  });

  it('keeps native ids of two accounts apart and tags each with its account', async () => {
    await ingest([
      { account: 'alice', epoch: 1, rows: [msg(1)] },
      { account: 'bob', epoch: 1, rows: [msg(1, { guid: 'B-1', chat_guid: 'iMessage;-;+15550002', chat_identifier: '+15550002' })] },
    ]);
    const every = await all({ merged: false }, 100);
    expect(every.map((m) => [m.account, m.native_id])).toEqual([
      ['alice', 1],
      ['bob', 1],
    ]);
    expect(every[0]!.chat_id).not.toBe(every[1]!.chat_id);
  });

  it('refuses a stale epoch and dedupes by guid after a rewind', async () => {
    await ingest([{ account: 'alice', epoch: 1, rows: [msg(1), msg(2)] }]);
    const next = await model.newEpoch('alice');
    expect(next).toMatchObject({ epoch: 2, hwm: 0 });
    expect((await ingest([{ account: 'alice', epoch: 1, rows: [msg(3)] }]))[0]).toMatchObject({ ok: false, reason: 'STALE_EPOCH' });
    // The replaced chat.db renumbered the rows: same guids, new rowids.
    const [out] = await ingest([{ account: 'alice', epoch: 2, rows: [msg(1), msg(2), { ...msg(3), rowid: 3 }] }]);
    expect(out).toMatchObject({ ok: true, acked: 3 });
    expect(await all({ merged: false }, 100)).toHaveLength(3);
  });

  it('links a group shared by two accounts and delivers its messages once when merged', async () => {
    const group = { chat_guid: 'iMessage;+;chat42', chat_identifier: 'chat42', is_group: true, participants: ['+15550001', 'bob@x.com'] };
    await ingest([
      { account: 'alice', epoch: 1, rows: [msg(1, { ...group, guid: 'SHARED' })] },
      { account: 'bob', epoch: 1, rows: [msg(7, { ...group, guid: 'SHARED', chat_id: 3 })] },
    ]);
    const merged = await all({ merged: true }, 100);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.accounts).toEqual(['alice', 'bob']);
    expect((await all({ merged: false, accounts: ['bob'] }, 100)).map((m) => m.account)).toEqual(['bob']);
    expect(await all({ merged: true, accounts: ['bob'] }, 100)).toHaveLength(1);
    const merged2 = chatList({ merged: true, limit: 10 });
    expect(merged2).toHaveLength(1);
    expect(merged2[0]!.accounts).toEqual(['alice', 'bob']);
    expect(chatList({ merged: false, limit: 10 })).toHaveLength(2);
  });

  it('shows a message between two of our accounts once, as ours, and keeps their DMs two chats', async () => {
    await model.configureHandles('alice', ['alice@x.com']);
    await model.configureHandles('bob', ['bob@x.com']);
    // alice → bob: bob's incoming copy happens to arrive before alice's own outgoing copy.
    await ingest([
      {
        account: 'bob',
        epoch: 1,
        rows: [
          msg(1, { guid: 'A2B', sender: 'alice@x.com', chat_identifier: 'alice@x.com', chat_guid: 'iMessage;-;alice@x.com', participants: ['alice@x.com'] }),
        ],
      },
    ]);
    await ingest([
      {
        account: 'alice',
        epoch: 1,
        rows: [
          msg(1, {
            guid: 'A2B',
            is_from_me: true,
            sender: 'bob@x.com',
            chat_identifier: 'bob@x.com',
            chat_guid: 'iMessage;-;bob@x.com',
            participants: ['bob@x.com'],
          }),
        ],
      },
    ]);
    const merged = await all({ merged: true }, 10);
    expect(merged).toHaveLength(1);
    // Attributed to the account that sent it, though bob's copy came first.
    expect(merged[0]).toMatchObject({ is_from_me: true, destination_caller_id: 'alice@x.com', account: 'alice' });
    expect([...merged[0]!.accounts].sort()).toEqual(['alice', 'bob']);
    // Each account's own view still has its own copy, as imsg would show it.
    expect((await all({ merged: false, accounts: ['bob'] }, 10))[0]).toMatchObject({ is_from_me: false, sender: 'alice@x.com' });
    // Not one conversation: a reply by bob's chat id goes to alice from bob, not the reverse.
    expect(chatList({ merged: true, limit: 10 })).toHaveLength(2);
  });

  it('records affinity for the account that last exchanged with a handle', async () => {
    await ingest([{ account: 'alice', epoch: 1, rows: [msg(1)] }]);
    expect(model.affinity('+15550001')).toBe('alice');
    await ingest([{ account: 'bob', epoch: 1, rows: [msg(1, { guid: 'B1' })] }]);
    expect(model.affinity('+15550001')).toBe('bob');
  });

  it('survives reopening: hwm, chats and sequence persist', async () => {
    await ingest([{ account: 'alice', epoch: 1, rows: [msg(1), msg(2)] }]);
    await store.close();
    store = new SqliteStore(join(dir, 'hub.db'));
    model = await MessageModel.load(store);
    expect(model.accounts.get('alice')).toMatchObject({ hwm: 2, epoch: 1 });
    await ingest([{ account: 'alice', epoch: 1, rows: [msg(3)] }]);
    expect((await all({ merged: false }, 10)).map((m) => m.id)).toEqual([1, 2, 3]);
    expect(chatList({ merged: false, limit: 10 })).toHaveLength(1);
  });
});

describe('MessageModel and the outbox', () => {
  it('moves a send through its states and links the echo row', async () => {
    await store.outboxInsert({
      key: 'k1',
      account: 'alice',
      method: 'send',
      target: '+15550001',
      route: 'explicit',
      chatId: undefined,
      params: { to: '+15550001', text: 'hi' },
      file: undefined,
      requestHash: 'h',
      client: undefined,
      expiresAt: undefined,
    });
    expect((await store.outbox({ account: 'alice', states: ['queued', 'dispatched'] })).map((r) => r.key)).toEqual(['k1']);
    await store.outboxUpdate('k1', { state: 'sent', result: { ok: true, guid: 'ECHO' } });
    await ingest([{ account: 'alice', epoch: 1, rows: [msg(1, { is_from_me: true, guid: 'ECHO' })] }]);
    const rec = (await store.outboxGet('k1'))!;
    expect(rec.messageSeq).toBe(1);
    expect((await all({ merged: false }, 1))[0]!.send_key).toBe('k1');
    expect(await store.outbox({ states: ['queued', 'dispatched'] })).toHaveLength(0);
  });

  it('a message bob sent into a group alice is in is bob’s in the merged view, whichever copy came first', async () => {
    await model.configureHandles('alice', ['alice@x.com']);
    await model.configureHandles('bob', ['bob@x.com']);
    const family = {
      chat_guid: 'iMessage;+;family',
      chat_identifier: 'family',
      chat_name: 'Family',
      is_group: true,
      participants: ['alice@x.com', 'bob@x.com', '+15550009'],
    };
    await ingest([{ account: 'alice', epoch: 1, rows: [msg(1, { ...family, guid: 'FROM-BOB', sender: 'bob@x.com', text: 'dinner?' })] }]);
    const [seen] = await all({ merged: true }, 10);
    expect(seen).toMatchObject({ text: 'dinner?', account: 'bob', is_from_me: true });
    expect(seen!.accounts).toEqual(['bob', 'alice']);
    // alice's own view still has her copy, from bob.
    expect((await all({ merged: false, accounts: ['alice'] }, 10))[0]).toMatchObject({ account: 'alice', is_from_me: false, sender: 'bob@x.com' });
  });
});
