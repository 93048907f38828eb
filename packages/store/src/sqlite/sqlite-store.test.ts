import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from '@imsg-hub/hub-protocol';
import type { ImsgMessage } from '@imsg-hub/imsg-protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-test-'));
  store = new SqliteStore(join(dir, 'hub.db'));
  store.ensureAccount('alice');
  store.ensureAccount('bob');
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

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

describe('SqliteStore ingest', () => {
  it('assigns increasing hub ids, acks cumulatively and never doubles a row', () => {
    const [first] = store.ingest([{ account: 'alice', epoch: 1, rows: [msg(1), msg(2), msg(3)] }]);
    expect(first).toMatchObject({ ok: true, acked: 3 });
    const [again] = store.ingest([{ account: 'alice', epoch: 1, rows: [msg(2), msg(3), msg(4)] }]);
    expect(again).toMatchObject({ ok: true, acked: 4 });
    const all = store.messagesAfter(0, { merged: false }, 100);
    expect(all.map((m) => m.native_id)).toEqual([1, 2, 3, 4]);
    expect(all.map((m) => m.id)).toEqual([1, 2, 3, 4]);
    expect(new Set(all.map((m) => m.chat_id)).size).toBe(1);
    expect(store.account('alice')).toMatchObject({ hwm: 4, messageCount: 4 });
  });

  it('keeps native ids of two accounts apart and tags each with its account', () => {
    store.ingest([
      { account: 'alice', epoch: 1, rows: [msg(1)] },
      { account: 'bob', epoch: 1, rows: [msg(1, { guid: 'B-1', chat_guid: 'iMessage;-;+15550002', chat_identifier: '+15550002' })] },
    ]);
    const all = store.messagesAfter(0, { merged: false }, 100);
    expect(all.map((m) => [m.account, m.native_id])).toEqual([
      ['alice', 1],
      ['bob', 1],
    ]);
    expect(all[0]!.chat_id).not.toBe(all[1]!.chat_id);
  });

  it('refuses a stale epoch and dedupes by guid after a rewind', () => {
    store.ingest([{ account: 'alice', epoch: 1, rows: [msg(1), msg(2)] }]);
    const next = store.newEpoch('alice');
    expect(next).toMatchObject({ epoch: 2, hwm: 0 });
    expect(store.ingest([{ account: 'alice', epoch: 1, rows: [msg(3)] }])[0]).toMatchObject({ ok: false, reason: 'STALE_EPOCH' });
    // The replaced chat.db renumbered the rows: same guids, new rowids.
    const [out] = store.ingest([{ account: 'alice', epoch: 2, rows: [msg(1), msg(2), { ...msg(3), rowid: 3 }] }]);
    expect(out).toMatchObject({ ok: true, acked: 3 });
    expect(store.messagesAfter(0, { merged: false }, 100)).toHaveLength(3);
  });

  it('links a group shared by two accounts and delivers its messages once when merged', () => {
    const group = { chat_guid: 'iMessage;+;chat42', chat_identifier: 'chat42', is_group: true, participants: ['+15550001', 'bob@x.com'] };
    store.ingest([
      { account: 'alice', epoch: 1, rows: [msg(1, { ...group, guid: 'SHARED' })] },
      { account: 'bob', epoch: 1, rows: [msg(7, { ...group, guid: 'SHARED', chat_id: 3 })] },
    ]);
    const merged = store.messagesAfter(0, { merged: true }, 100);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.accounts).toEqual(['alice', 'bob']);
    expect(store.messagesAfter(0, { merged: false, accounts: ['bob'] }, 100).map((m) => m.account)).toEqual(['bob']);
    expect(store.messagesAfter(0, { merged: true, accounts: ['bob'] }, 100)).toHaveLength(1);
    const chats = store.chats({ merged: true, limit: 10 });
    expect(chats).toHaveLength(1);
    expect(chats[0]!.accounts).toEqual(['alice', 'bob']);
    expect(store.chats({ merged: false, limit: 10 })).toHaveLength(2);
  });

  it('shows a message between two of our accounts once, as ours, and keeps their DMs two chats', () => {
    store.configureHandles('alice', ['alice@x.com']);
    store.configureHandles('bob', ['bob@x.com']);
    // alice → bob: bob's incoming copy happens to arrive before alice's own outgoing copy.
    store.ingest([
      {
        account: 'bob',
        epoch: 1,
        rows: [
          msg(1, { guid: 'A2B', sender: 'alice@x.com', chat_identifier: 'alice@x.com', chat_guid: 'iMessage;-;alice@x.com', participants: ['alice@x.com'] }),
        ],
      },
    ]);
    store.ingest([
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
    const merged = store.messagesAfter(0, { merged: true }, 10);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ is_from_me: true, destination_caller_id: 'alice@x.com' });
    expect([...merged[0]!.accounts].sort()).toEqual(['alice', 'bob']);
    // Each account's own view still has its own copy, as imsg would show it.
    expect(store.messagesAfter(0, { merged: false, accounts: ['bob'] }, 10)[0]).toMatchObject({ is_from_me: false, sender: 'alice@x.com' });
    // Not one conversation: a reply by bob's chat id goes to alice from bob, not the reverse.
    expect(store.chats({ merged: true, limit: 10 })).toHaveLength(2);
  });

  it('records affinity for the account that last exchanged with a handle', () => {
    store.ingest([{ account: 'alice', epoch: 1, rows: [msg(1)] }]);
    expect(store.affinity('+15550001')).toBe('alice');
    store.ingest([{ account: 'bob', epoch: 1, rows: [msg(1, { guid: 'B1' })] }]);
    expect(store.affinity('+15550001')).toBe('bob');
  });

  it('survives reopening: hwm, chats and sequence persist', () => {
    store.ingest([{ account: 'alice', epoch: 1, rows: [msg(1), msg(2)] }]);
    store.close();
    store = new SqliteStore(join(dir, 'hub.db'));
    expect(store.account('alice')).toMatchObject({ hwm: 2, epoch: 1 });
    store.ingest([{ account: 'alice', epoch: 1, rows: [msg(3)] }]);
    expect(store.messagesAfter(0, { merged: false }, 10).map((m) => m.id)).toEqual([1, 2, 3]);
    expect(store.chats({ merged: false, limit: 10 })).toHaveLength(1);
  });
});

describe('SqliteStore outbox', () => {
  it('moves a send through its states and links the echo row', () => {
    store.outboxInsert({
      key: 'k1',
      account: 'alice',
      target: '+15550001',
      route: 'explicit',
      chatId: undefined,
      params: { to: '+15550001', text: 'hi' },
      file: undefined,
      requestHash: 'h',
      client: undefined,
      expiresAt: undefined,
    });
    expect(store.outboxPending('alice').map((r) => r.key)).toEqual(['k1']);
    store.outboxUpdate('k1', { state: 'sent', result: { ok: true, guid: 'ECHO' } });
    store.ingest([{ account: 'alice', epoch: 1, rows: [msg(1, { is_from_me: true, guid: 'ECHO' })] }]);
    const rec = store.outboxGet('k1')!;
    expect(rec.messageSeq).toBe(1);
    expect(store.message(1)!.send_key).toBe('k1');
    expect(store.outboxPending()).toHaveLength(0);
  });

  it('expires queued sends past their TTL', () => {
    store.outboxInsert({
      key: 'k2',
      account: 'bob',
      target: 'x',
      route: 'default',
      chatId: undefined,
      params: {},
      file: undefined,
      requestHash: 'h',
      client: undefined,
      expiresAt: 1000,
    });
    expect(store.outboxExpire(999)).toHaveLength(0);
    const expired = store.outboxExpire(1000);
    expect(expired.map((r) => r.state)).toEqual(['expired']);
  });
});
