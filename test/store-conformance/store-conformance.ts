import type { ChatRecord, CommitRecords, MessageRecord, OutboxInsert, Store } from '@imsg-hub/store';
import { StoreConflictError } from '@imsg-hub/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobConformance } from './blob-conformance.js';
import { sharedLimitsConformance } from './shared-limits-conformance.js';

/** An adapter under test: opens a fresh, empty store; `reopen` opens the same data again. */
export interface StoreTarget {
  name: string;
  open(): Promise<{ store: Store; reopen: () => Promise<Store>; cleanup: () => Promise<void> }>;
}

const NOW = '2026-01-01T00:00:00.000Z';

export function chatRecord(id: number, account: string, over: Partial<ChatRecord> = {}): ChatRecord {
  return {
    id,
    account,
    guid: `iMessage;-;+1555000${id}`,
    nativeId: id,
    identifier: `+1555000${id}`,
    name: '',
    service: 'iMessage',
    isGroup: false,
    participants: [`+1555000${id}`],
    conversationId: id,
    lastSeq: 0,
    lastMessageAt: NOW,
    ...over,
  };
}

export function messageRecord(seq: number, account: string, chatId: number, over: Partial<MessageRecord> = {}): MessageRecord {
  const guid = over.guid ?? `G-${seq}`;
  return {
    seq,
    account,
    epoch: 1,
    nativeId: seq,
    chatId,
    guid,
    dupOf: undefined,
    isFromMe: false,
    isReaction: false,
    replay: false,
    sendKey: undefined,
    receivedAt: NOW,
    body: {
      id: seq,
      chat_id: chatId,
      guid,
      sender: '+15550001',
      is_from_me: false,
      text: `text ${seq} ✓ "quoted" \u2028`,
      created_at: NOW,
      attachments: [],
      reactions: [],
      chat_identifier: '+15550001',
      chat_guid: 'iMessage;-;+15550001',
      chat_name: '',
      participants: ['+15550001'],
      is_group: false,
    },
    ...over,
  };
}

export function commitOf(over: Partial<CommitRecords>): CommitRecords {
  return { messages: [], chats: [], handles: [], affinity: [], accounts: [], blobRefs: [], outboxLinks: [], ...over };
}

const send = (key: string, account: string, over: Partial<OutboxInsert> = {}): OutboxInsert => ({
  key,
  account,
  method: 'send',
  target: '+15550001',
  route: 'explicit',
  chatId: undefined,
  params: { to: '+15550001', text: 'hi' },
  file: undefined,
  requestHash: `hash-${key}`,
  client: 'c1',
  expiresAt: undefined,
  ...over,
});

/**
 * The store port's contract (packages/store/src/port/store.ts), for every adapter: what a commit
 * writes, what each query returns, and that all of it survives reopening.
 */
export function storeConformance(target: StoreTarget): void {
  describe(`store port: ${target.name}`, () => {
    let store: Store;
    let reopen: () => Promise<Store>;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, reopen, cleanup } = await target.open());
    });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    it('starts empty; accounts begin at epoch 1 and a new epoch rewinds the high-water mark', async () => {
      expect(await store.maxIds()).toEqual({ seq: 0, chatId: 0 });
      expect(await store.accounts()).toEqual([]);
      expect(await store.ensureAccount('bob')).toMatchObject({ name: 'bob', epoch: 1, hwm: 0, messageCount: 0 });
      await store.ensureAccount('alice');
      expect(await store.ensureAccount('bob')).toMatchObject({ epoch: 1 }); // idempotent
      expect((await store.accounts()).map((a) => a.name)).toEqual(['alice', 'bob']);
      await store.commit(commitOf({ accounts: [{ name: 'alice', hwm: 7, lastRowAt: NOW, messageCount: 3 }] }));
      expect((await store.accounts())[0]).toMatchObject({ name: 'alice', hwm: 7, lastRowAt: NOW, messageCount: 3 });
      expect(await store.newEpoch('alice')).toMatchObject({ epoch: 2, hwm: 0, messageCount: 3 });
    });

    it('commits a group atomically and refuses ids that are already taken', async () => {
      await store.ensureAccount('alice');
      const chat = chatRecord(1, 'alice');
      await store.commit(commitOf({ chats: [chat], messages: [messageRecord(1, 'alice', 1), messageRecord(2, 'alice', 1)] }));
      expect(await store.maxIds()).toEqual({ seq: 2, chatId: 1 });
      // A commit whose first seq is not above the stored maximum is refused whole.
      await expect(store.commit(commitOf({ chats: [chatRecord(2, 'alice')], messages: [messageRecord(2, 'alice', 2)] }))).rejects.toBeInstanceOf(
        StoreConflictError,
      );
      expect(await store.maxIds()).toEqual({ seq: 2, chatId: 1 });
      // A commit that fails half-way leaves nothing behind.
      const dupe = messageRecord(4, 'alice', 1, { guid: 'G-1' }); // (guid, account) is unique
      await expect(store.commit(commitOf({ messages: [messageRecord(3, 'alice', 1), dupe] }))).rejects.toThrow();
      expect((await store.messages({ order: 'asc', limit: 10 })).map((m) => m.seq)).toEqual([1, 2]);
    });

    it('returns messages exactly as committed, and filters them', async () => {
      await store.ensureAccount('alice');
      await store.ensureAccount('bob');
      const a = messageRecord(1, 'alice', 1, { replay: true, sendKey: 'k', isFromMe: true, nativeId: 11 });
      const b = messageRecord(2, 'bob', 2, { guid: 'G-1', dupOf: 1, nativeId: 5 });
      const tap = messageRecord(3, 'alice', 1, { isReaction: true, body: { ...messageRecord(3, 'alice', 1).body, is_reaction: true, reacted_to_guid: 'G-1' } });
      const c = messageRecord(4, 'bob', 3);
      await store.commit(commitOf({ chats: [chatRecord(1, 'alice'), chatRecord(2, 'bob'), chatRecord(3, 'bob')], messages: [a, b, tap, c] }));
      const got = await store.messages({ order: 'asc', limit: 10 });
      expect(got).toEqual([a, b, tap, c]);
      const seqs = async (q: Omit<Parameters<Store['messages']>[0], 'order' | 'limit'>, order: 'asc' | 'desc' = 'asc', limit = 10) =>
        (await store.messages({ ...q, order, limit })).map((m) => m.seq);
      expect(await seqs({ afterSeq: 1, beforeSeq: 4 })).toEqual([2, 3]);
      expect(await seqs({}, 'desc', 2)).toEqual([4, 3]);
      expect(await seqs({ accounts: ['bob'] })).toEqual([2, 4]);
      expect(await seqs({ chatIds: [1, 3] })).toEqual([1, 3, 4]);
      expect(await seqs({ includeReactions: false })).toEqual([1, 2, 4]);
      expect(await seqs({ reactedTo: ['G-1'] })).toEqual([3]);
      expect(await seqs({ reactedTo: ['G-1'], accounts: ['bob'] })).toEqual([]);
      expect(await seqs({ firstCopyAmong: 'all' })).toEqual([1, 3, 4]);
      // bob's copy is the first among bob's accounts, though alice's came earlier.
      expect(await seqs({ firstCopyAmong: ['bob'] })).toEqual([1, 2, 3, 4]);
      expect(await seqs({ firstCopyAmong: ['alice', 'bob'], accounts: ['alice', 'bob'] })).toEqual([1, 3, 4]);
      expect(await store.copies(['G-1', 'nope'])).toEqual([
        { guid: 'G-1', account: 'alice', seq: 1, chatId: 1, isFromMe: true },
        { guid: 'G-1', account: 'bob', seq: 2, chatId: 2, isFromMe: false },
      ]);
      expect(await store.copies([])).toEqual([]);
      await store.linkEcho(4, 'send-4');
      expect((await store.messages({ afterSeq: 3, order: 'asc', limit: 1 }))[0]!.sendKey).toBe('send-4');
    });

    it('searches message text by words (the last one a prefix), newest first, with filters and stable pages', async () => {
      await store.ensureAccount('alice');
      await store.ensureAccount('bob');
      const body = (seq: number, text: string, over: Record<string, unknown> = {}) => ({ ...messageRecord(seq, 'alice', 1).body, text, ...over });
      const records = [
        messageRecord(1, 'alice', 1, { body: body(1, 'Dinner at Café Rouge tonight?', { created_at: '2026-01-01T10:00:00.000Z' }) }),
        messageRecord(2, 'bob', 2, { guid: 'G-1', dupOf: 1, body: body(2, 'Dinner at Café Rouge tonight?', { created_at: '2026-01-01T10:00:00.000Z' }) }),
        messageRecord(3, 'alice', 1, {
          isFromMe: true,
          body: body(3, 'yes, dinner "at 8"', { is_from_me: true, sender: '', created_at: '2026-01-02T10:00:00.000Z' }),
        }),
        messageRecord(4, 'alice', 1, { isReaction: true, body: body(4, 'Loved “dinner”', { is_reaction: true, created_at: '2026-01-03T10:00:00.000Z' }) }),
        messageRecord(5, 'bob', 3, { body: body(5, 'the dinosaur exhibit', { sender: '+15550009', created_at: '2026-01-04T10:00:00.000Z' }) }),
      ];
      await store.commit(commitOf({ chats: [chatRecord(1, 'alice'), chatRecord(2, 'bob'), chatRecord(3, 'bob')], messages: records }));
      const seqs = async (q: Partial<Parameters<Store['searchMessages']>[0]>) =>
        (await store.searchMessages({ words: ['dinner'], limit: 10, ...q })).map((m) => m.seq);
      expect(await seqs({})).toEqual([3, 2, 1]); // reactions are not indexed
      expect(await seqs({ words: ['din'] })).toEqual([5, 3, 2, 1]); // the last word is a prefix
      expect(await seqs({ words: ['cafe', 'rouge'] })).toEqual([2, 1]); // diacritics folded, every word must match
      expect(await seqs({ words: ['"at', '8"'] })).toEqual([3]); // quotes are text, not query syntax
      expect(await seqs({ words: ['OR'] })).toEqual([]);
      expect(await seqs({ accounts: ['bob'] })).toEqual([2]);
      expect(await seqs({ chatIds: [1] })).toEqual([3, 1]);
      expect(await seqs({ firstCopyAmong: 'all' })).toEqual([3, 1]);
      expect(await seqs({ fromMe: true })).toEqual([3]);
      expect(await seqs({ fromMe: false, words: ['din'] })).toEqual([5, 2, 1]);
      expect(await seqs({ sender: '+15550009', words: ['din'] })).toEqual([5]);
      expect(await seqs({ since: '2026-01-02T00:00:00.000Z' })).toEqual([3]);
      expect(await seqs({ until: '2026-01-02T00:00:00.000Z' })).toEqual([2, 1]);
      // Pages by seq: the next page starts below the last result, and a newer match does not shift it.
      expect(await seqs({ limit: 2 })).toEqual([3, 2]);
      await store.commit(commitOf({ messages: [messageRecord(6, 'alice', 1, { body: body(6, 'more dinner') })] }));
      expect(await seqs({ limit: 2, beforeSeq: 2 })).toEqual([1]);
    });

    it('upserts chats by id, keeping every field, and lists those above an id', async () => {
      await store.ensureAccount('alice');
      const group = chatRecord(1, 'alice', { guid: 'iMessage;+;chat9', isGroup: true, participants: ['+15550001', 'b@x.com'], name: 'Family' });
      await store.commit(commitOf({ chats: [group, chatRecord(2, 'alice')] }));
      expect(await store.chats()).toEqual([group, chatRecord(2, 'alice')]);
      const renamed = { ...group, name: 'Fam', participants: ['b@x.com'], conversationId: 2, lastSeq: 9, lastMessageAt: '2026-02-01T00:00:00.000Z' };
      await store.commit(commitOf({ chats: [renamed] }));
      expect(await store.chats(1)).toEqual([chatRecord(2, 'alice')]);
      expect((await store.chats())[0]).toEqual(renamed);
    });

    it('keeps own handles (configured ones replace learned) and affinity', async () => {
      await store.commit(
        commitOf({ handles: [{ handle: 'a@x.com', account: 'alice', source: 'learned' }], affinity: [{ handle: '+1555', account: 'alice', seq: 1 }] }),
      );
      await store.putOwnHandles([{ handle: 'a@x.com', account: 'bob', source: 'config' }]);
      await store.commit(commitOf({ affinity: [{ handle: '+1555', account: 'bob', seq: 2 }] }));
      expect(await store.ownHandles()).toEqual([{ handle: 'a@x.com', account: 'bob', source: 'config' }]);
      expect(await store.affinity()).toEqual([{ handle: '+1555', account: 'bob', seq: 2 }]);
    });

    it('moves outbox rows through their states, queries them, and links echoes in a commit', async () => {
      await store.ensureAccount('alice');
      const k1 = await store.outboxInsert(send('k1', 'alice', { expiresAt: 1000 }));
      expect(k1).toMatchObject({ key: 'k1', n: 1, state: 'queued', attempts: 0, result: undefined, messageSeq: undefined, expiresAt: 1000 });
      await store.outboxInsert(send('k2', 'bob', { file: { sha256: 'f'.repeat(64), name: 'a.jpg', size: 3 } }));
      await expect(store.outboxInsert(send('k1', 'alice'))).rejects.toThrow();
      expect((await store.outbox({ states: ['queued', 'dispatched'] })).map((r) => r.key)).toEqual(['k1', 'k2']);
      expect((await store.outbox({ account: 'bob' })).map((r) => r.key)).toEqual(['k2']);
      expect(await store.outbox({ expiresBy: 999 })).toEqual([]);
      expect((await store.outbox({ expiresBy: 1000 })).map((r) => r.key)).toEqual(['k1']);
      expect((await store.outbox({ file: { sha256: 'f'.repeat(64), accounts: ['bob'] } })).map((r) => r.key)).toEqual(['k2']);
      expect(await store.outbox({ file: { sha256: 'f'.repeat(64), accounts: ['alice'] } })).toEqual([]);
      const dispatched = await store.outboxUpdate('k1', { state: 'dispatched', attempts: 1 });
      expect(dispatched).toMatchObject({ state: 'dispatched', attempts: 1 });
      expect(await store.outbox({ expiresBy: 1000 })).toEqual([]); // only queued rows expire
      const sent = await store.outboxUpdate('k1', { state: 'sent', result: { ok: true, guid: 'ECHO' } });
      expect(sent).toMatchObject({ state: 'sent', result: { ok: true, guid: 'ECHO' } });
      expect((await store.outbox({ unlinkedResultGuids: ['ECHO'] })).map((r) => r.key)).toEqual(['k1']);
      await store.commit(
        commitOf({
          chats: [chatRecord(1, 'alice')],
          messages: [messageRecord(1, 'alice', 1, { guid: 'ECHO', sendKey: 'k1' })],
          outboxLinks: [{ key: 'k1', messageSeq: 1 }],
        }),
      );
      expect(await store.outboxGet('k1')).toMatchObject({ messageSeq: 1 });
      expect(await store.outbox({ unlinkedResultGuids: ['ECHO'] })).toEqual([]);
      await store.outboxUpdate('k2', { state: 'failed', error: { code: -32014, message: 'no', data: { code: 'SEND_FAILED' } } });
      expect((await store.outboxGet('k2'))!.error).toEqual({ code: -32014, message: 'no', data: { code: 'SEND_FAILED' } });
      expect(await store.outboxCounts()).toEqual(new Map());
      const tapback = await store.outboxInsert(send('k3', 'alice', { method: 'tapback', params: { chat_guid: 'c', message_guid: 'g', reaction: 'love' } }));
      expect(tapback).toMatchObject({ method: 'tapback', params: { message_guid: 'g' } });
      expect((await store.outboxGet('k1'))!.method).toBe('send');
      expect(await store.outboxCounts()).toEqual(new Map([['alice', { queued: 1, dispatched: 0, in_doubt: 0 }]]));
      await expect(store.outboxUpdate('missing', { state: 'sent' })).rejects.toThrow(/missing/);
      expect(await store.outboxGet('missing')).toBeUndefined();
    });

    it('keeps a send in doubt apart from the pending ones, and carries and clears a resolution', async () => {
      await store.outboxInsert(send('d1', 'alice'));
      await store.outboxInsert(send('d2', 'alice'));
      const doubt = { code: -32019, message: 'maybe', data: { code: 'SEND_IN_DOUBT' } };
      expect(await store.outboxUpdate('d1', { state: 'in_doubt', error: doubt })).toMatchObject({ state: 'in_doubt', error: doubt, resolution: undefined });
      expect((await store.outbox({ account: 'alice', states: ['queued', 'dispatched'] })).map((r) => r.key)).toEqual(['d2']);
      expect((await store.outbox({ account: 'alice', states: ['in_doubt'] })).map((r) => r.key)).toEqual(['d1']);
      expect(await store.outboxCounts()).toEqual(new Map([['alice', { queued: 1, dispatched: 0, in_doubt: 1 }]]));
      const resend = await store.outboxUpdate('d1', { state: 'queued', resolution: 'resend', error: null });
      expect(resend).toMatchObject({ state: 'queued', resolution: 'resend' });
      expect(resend.error).toBeUndefined();
      expect((await store.outboxUpdate('d1', { state: 'dispatched', resolution: null })).resolution).toBeUndefined();
      expect((await store.outboxGet('d1'))!.resolution).toBeUndefined();
      expect(await store.outboxGet('missing')).toBeUndefined();
    });

    it('lists outbox rows of some accounts, newest first, for recent-send views', async () => {
      for (const [key, account] of [
        ['r1', 'alice'],
        ['r2', 'bob'],
        ['r3', 'carol'],
        ['r4', 'alice'],
      ] as const)
        await store.outboxInsert(send(key, account));
      expect((await store.outbox({ accounts: ['alice', 'bob'], newestFirst: true, limit: 10 })).map((r) => r.key)).toEqual(['r4', 'r2', 'r1']);
      expect((await store.outbox({ accounts: ['alice', 'bob'], newestFirst: true, limit: 2 })).map((r) => r.key)).toEqual(['r4', 'r2']);
      expect((await store.outbox({ newestFirst: true, limit: 1 })).map((r) => r.key)).toEqual(['r4']);
      expect(await store.outbox({ accounts: [] })).toEqual([]);
    });

    it('logs each outcome and receipt of an outbox row with the change, in order, and pages the log', async () => {
      expect(await store.maxSendEventSeq()).toBe(0);
      expect(await store.sendEvents({ afterSeq: 0, limit: 10 })).toEqual([]);
      await store.outboxInsert(send('e1', 'alice'));
      await store.outboxInsert(send('e2', 'bob'));
      await store.outboxUpdate('e1', { state: 'dispatched', attempts: 1 });
      await store.outboxUpdate('e1', { state: 'sent', result: { ok: true, guid: 'G1' } });
      await store.outboxUpdate('e1', { attempts: 2 }); // neither state nor delivery: no entry
      await store.outboxUpdate('e1', { result: { ok: true, guid: 'G1', delivery: 'delivered', delivered_at: NOW } });
      await store.outboxUpdate('e1', { result: { ok: true, guid: 'G1', delivery: 'delivered', delivered_at: NOW, note: 1 } }); // same delivery
      await store.outboxUpdate('e2', { state: 'failed', error: { code: -32014, message: 'no' } });
      await store.outboxUpdate('e1', { result: { ok: true, guid: 'G1', delivery: 'read', read_at: NOW } });
      // A send in doubt is an outcome; its resend's queued and dispatched are not; its proof is.
      await store.outboxInsert(send('e3', 'alice'));
      await store.outboxUpdate('e3', { state: 'in_doubt', error: { code: -32019, message: 'maybe' } });
      await store.outboxUpdate('e3', { state: 'queued', resolution: 'resend', error: null });
      await store.outboxUpdate('e3', { state: 'dispatched', resolution: null });
      await store.outboxUpdate('e3', { state: 'sent', result: { ok: true, guid: 'G3' } });
      await store.commit(
        commitOf({
          chats: [chatRecord(1, 'alice')],
          messages: [messageRecord(1, 'alice', 1, { guid: 'G1', sendKey: 'e1' })],
          outboxLinks: [{ key: 'e1', messageSeq: 1 }],
        }),
      );
      const all = await store.sendEvents({ afterSeq: 0, limit: 10 });
      expect(all.map((e) => [e.key, e.account, e.state, e.delivery])).toEqual([
        ['e1', 'alice', 'sent', undefined],
        ['e1', 'alice', 'sent', 'delivered'],
        ['e2', 'bob', 'failed', undefined],
        ['e1', 'alice', 'sent', 'read'],
        ['e3', 'alice', 'in_doubt', undefined],
        ['e3', 'alice', 'sent', undefined],
      ]);
      expect(all.every((e, i) => i === 0 || e.seq > all[i - 1]!.seq)).toBe(true);
      expect(all.every((e) => typeof e.at === 'string' && e.at.length > 0)).toBe(true);
      expect(await store.maxSendEventSeq()).toBe(all[5]!.seq);
      expect(await store.sendEvents({ afterSeq: all[0]!.seq, limit: 2 })).toEqual(all.slice(1, 3));
      expect((await store.sendEvents({ afterSeq: 0, accounts: ['bob'], limit: 10 })).map((e) => e.key)).toEqual(['e2']);
      expect(await store.sendEvents({ afterSeq: 0, accounts: [], limit: 10 })).toEqual([]);
    });

    it('prunes the send-event log oldest first, only entries written before the cutoff, never reusing a seq', async () => {
      const pause = () => new Promise((r) => setTimeout(r, 5));
      for (const key of ['p1', 'p2', 'p3']) {
        await store.outboxInsert(send(key, 'alice'));
        await store.outboxUpdate(key, { state: 'sent', result: { ok: true, guid: key } });
      }
      await pause();
      const cutoff = new Date().toISOString();
      await pause();
      await store.outboxUpdate('p1', { result: { ok: true, guid: 'p1', delivery: 'delivered', delivered_at: NOW } });
      const before = await store.sendEvents({ afterSeq: 0, limit: 10 });
      expect(before.map((e) => [e.key, e.delivery])).toEqual([
        ['p1', undefined],
        ['p2', undefined],
        ['p3', undefined],
        ['p1', 'delivered'],
      ]);

      expect(await store.pruneSendEvents(new Date(0).toISOString(), 10)).toBe(0);
      expect(await store.pruneSendEvents(cutoff, 1)).toBe(1);
      expect((await store.sendEvents({ afterSeq: 0, limit: 10 })).map((e) => e.seq)).toEqual(before.slice(1).map((e) => e.seq));
      expect(await store.pruneSendEvents(cutoff, 10)).toBe(2);
      expect(await store.sendEvents({ afterSeq: 0, limit: 10 })).toEqual(before.slice(3));
      expect(await store.pruneSendEvents(cutoff, 10)).toBe(0);

      expect(await store.pruneSendEvents(new Date(Date.now() + 60_000).toISOString(), 10)).toBe(1);
      expect(await store.sendEvents({ afterSeq: 0, limit: 10 })).toEqual([]);
      await store.outboxUpdate('p2', { result: { ok: true, guid: 'p2', delivery: 'read', read_at: NOW } });
      const [next] = await store.sendEvents({ afterSeq: 0, limit: 10 });
      expect(next!.seq).toBeGreaterThan(before[3]!.seq);
    });

    it('keeps tokens hashed, revokes once, and keeps blob owners and webhook cursors', async () => {
      const token = {
        id: 't1',
        secretHash: Buffer.alloc(32, 7),
        role: 'client' as const,
        accounts: ['alice'],
        label: 'bot',
        createdAt: NOW,
        revokedAt: undefined,
      };
      await store.insertToken(token);
      await store.insertToken({ ...token, id: 't2', accounts: '*', label: undefined });
      expect(await store.token('t1')).toEqual(token);
      expect((await store.token('t2'))!.accounts).toBe('*');
      expect((await store.tokens()).map((t) => t.id)).toEqual(['t1', 't2']);
      expect(await store.revokeToken('t1', '2026-03-01T00:00:00.000Z')).toBe(true);
      expect(await store.revokeToken('t1', '2026-03-02T00:00:00.000Z')).toBe(false);
      expect(await store.revokeToken('nope', NOW)).toBe(false);
      expect((await store.token('t1'))!.revokedAt).toBe('2026-03-01T00:00:00.000Z');
      const sha = 'a'.repeat(64);
      await store.addBlobOwner(sha, 'token:t1');
      await store.addBlobOwner(sha, 'token:t1');
      await store.commit(commitOf({ blobRefs: [{ sha256: sha, owner: 'alice' }] }));
      expect(await store.blobOwners(sha)).toEqual(['alice', 'token:t1']);
      expect(await store.blobOwners('b'.repeat(64))).toEqual([]);
      expect(await store.webhookCursor('w')).toBeUndefined();
      await store.setWebhookCursor('w', 5);
      await store.setWebhookCursor('w', 9);
      expect(await store.webhookCursor('w')).toBe(9);
    });

    blobConformance(() => store);
    sharedLimitsConformance(() => store);

    it('applies calls in the order they were made, awaited or not', async () => {
      // The hub fires sends' inserts and a send's updates without waiting for each (per-chat order).
      const inserts = Array.from({ length: 12 }, (_, i) => store.outboxInsert(send(`o${i}`, 'alice')));
      const updates = [
        store.outboxUpdate('o0', { state: 'dispatched', attempts: 1 }),
        store.outboxUpdate('o0', { state: 'sent', result: { ok: true } }),
        store.outboxUpdate('o0', { attempts: 2 }),
      ];
      const counted = store.outboxCounts();
      const rows = await Promise.all(inserts);
      expect(rows.map((r) => r.n)).toEqual(rows.map((_, i) => i + 1));
      await Promise.all(updates);
      expect(await counted).toEqual(new Map([['alice', { queued: 11, dispatched: 0, in_doubt: 0 }]]));
      expect(await store.outboxGet('o0')).toMatchObject({ state: 'sent', attempts: 2, result: { ok: true } });
      expect((await store.outbox({ states: ['queued'] })).map((r) => r.key)).toEqual(rows.slice(1).map((r) => r.key));
    });

    it('keeps everything across reopening', async () => {
      await store.ensureAccount('alice');
      await store.commit(
        commitOf({
          chats: [chatRecord(1, 'alice')],
          messages: [messageRecord(1, 'alice', 1)],
          accounts: [{ name: 'alice', hwm: 1, lastRowAt: NOW, messageCount: 1 }],
          handles: [{ handle: 'a@x.com', account: 'alice', source: 'learned' }],
        }),
      );
      await store.setWebhookCursor('w', 1);
      await store.close();
      store = await reopen();
      expect(await store.maxIds()).toEqual({ seq: 1, chatId: 1 });
      expect(await store.accounts()).toEqual([{ name: 'alice', epoch: 1, hwm: 1, lastRowAt: NOW, messageCount: 1 }]);
      expect(await store.messages({ order: 'asc', limit: 5 })).toEqual([messageRecord(1, 'alice', 1)]);
      expect(await store.ownHandles()).toHaveLength(1);
      expect(await store.webhookCursor('w')).toBe(1);
    });
  });
}
