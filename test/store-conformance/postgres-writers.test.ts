import { readdirSync } from 'node:fs';
import { StoreConflictError } from '@imsg-hub/store';
import { PostgresStore } from '@imsg-hub/store/open';
import { postgresAvailable, startPostgres, waitFor, withClient, type PostgresServer } from '@imsg-hub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatRecord, commitOf, messageRecord } from './store-conformance.js';

// What only a shared database has: several hubs (here: several pools) writing at once.
describe.skipIf(!postgresAvailable() && !process.env['CI'])('postgres adapter: several writers on one database', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.close();
  });

  const openTwo = async () => {
    const url = await server.createDatabase();
    const [a, b] = await Promise.all([PostgresStore.open(url), PostgresStore.open(url)]);
    return { url, a, b, [Symbol.asyncDispose]: async () => void (await Promise.all([a.close(), b.close()])) };
  };

  it('applies migrations once when hubs open a fresh database together', async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresStore.open(url)));
    await Promise.all(stores.map((s) => s.close()));
    const versions = await withClient(url, async (c) => (await c.query('SELECT version FROM store_migrations ORDER BY version')).rows);
    // Each migration once: one row per file in migrations-postgres/.
    const files = readdirSync(new URL('../../packages/store/migrations-postgres/', import.meta.url)).filter((f) => /^\d{3}-.+\.sql$/.test(f));
    expect(versions).toEqual(files.sort().map((f) => ({ version: Number(f.slice(0, 3)) })));
  });

  it('lets exactly one of two racing commits take a seq; the other conflicts and writes nothing', async () => {
    await using two = await openTwo();
    await two.a.ensureAccount('alice');
    await two.a.ensureAccount('bob');
    for (let round = 0; round < 5; round++) {
      const { seq, chatId } = await two.a.maxIds();
      const results = await Promise.allSettled([
        two.a.commit(commitOf({ chats: [chatRecord(chatId + 1, 'alice')], messages: [messageRecord(seq + 1, 'alice', chatId + 1)] })),
        two.b.commit(commitOf({ chats: [chatRecord(chatId + 2, 'bob')], messages: [messageRecord(seq + 1, 'bob', chatId + 2, { guid: `B-${round}` })] })),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(failed.reason).toBeInstanceOf(StoreConflictError);
      expect(await two.b.maxIds()).toEqual({ seq: seq + 1, chatId: results[0]!.status === 'fulfilled' ? chatId + 1 : chatId + 2 });
    }
    expect((await two.a.chats()).length).toBe(5);
  });

  it('refuses a chat id or a chat another writer stored first, and a native row stored twice', async () => {
    await using two = await openTwo();
    await two.a.ensureAccount('alice');
    await two.a.commit(commitOf({ chats: [chatRecord(1, 'alice')], messages: [messageRecord(1, 'alice', 1)] }));
    // b (stale) allocates chat id 1 for another chat: refused, not overwritten.
    const sameId = commitOf({ chats: [chatRecord(1, 'alice', { guid: 'iMessage;-;other' })], messages: [messageRecord(2, 'alice', 1)] });
    await expect(two.b.commit(sameId)).rejects.toBeInstanceOf(StoreConflictError);
    // b creates a's chat again under a new id: refused.
    const sameChat = commitOf({ chats: [chatRecord(2, 'alice', { guid: chatRecord(1, 'alice').guid })], messages: [messageRecord(2, 'alice', 2)] });
    await expect(two.b.commit(sameChat)).rejects.toBeInstanceOf(StoreConflictError);
    // b stores alice's native row 1 again (its high-water mark was stale): refused.
    const sameRow = commitOf({ messages: [messageRecord(2, 'alice', 1, { nativeId: 1 })] });
    await expect(two.b.commit(sameRow)).rejects.toBeInstanceOf(StoreConflictError);
    expect(await two.b.maxIds()).toEqual({ seq: 1, chatId: 1 });
    expect(await two.b.chats()).toEqual([chatRecord(1, 'alice')]);
  });

  it("tells each writer of every writer's commits, in commit order, and of the maximum on (re)connect", async () => {
    await using two = await openTwo();
    await two.a.ensureAccount('alice');
    const heard: number[] = [];
    const stop = two.a.onCommit((max) => heard.push(max));
    await waitFor(() => heard.length === 1);
    expect(heard).toEqual([0]); // the maximum when the channel connected
    for (let seq = 1; seq <= 6; seq += 2) {
      const writer = seq % 4 === 1 ? two.b : two.a;
      await writer.commit(commitOf({ messages: [messageRecord(seq, 'alice', 0), messageRecord(seq + 1, 'alice', 0)] }));
    }
    await two.b.commit(commitOf({ accounts: [{ name: 'alice', hwm: 9, lastRowAt: undefined, messageCount: 6 }] })); // no messages: no notice
    await waitFor(() => heard.length === 4);
    expect(heard).toEqual([0, 2, 4, 6]);
    // The listening connection is cut (a server restart, a proxy): it reconnects and reports the maximum.
    await withClient(two.url, (c) => c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'imsg-hub listen'"));
    await two.b.commit(commitOf({ messages: [messageRecord(7, 'alice', 0)] }));
    await waitFor(() => heard.at(-1) === 7, 10_000);
    stop();
  });

  it('gives writers turns to plan and commit, one at a time, and ends a turn whose connection dies', async () => {
    await using two = await openTwo();
    const endA = await two.a.commitTurn();
    let bHasTurn = false;
    const bTurn = two.b.commitTurn().then((end) => {
      bHasTurn = true;
      return end;
    });
    // b waits on the server for a's turn to end.
    const waiting = "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted";
    await waitFor(async () => (await withClient(two.url, (c) => c.query(waiting))).rows[0].n === 1);
    expect(bHasTurn).toBe(false);
    endA();
    const endB = await bTurn;
    expect(bHasTurn).toBe(true);
    // b's hub dies mid-turn: its turn connection goes, and a gets the next turn.
    const aAgain = two.a.commitTurn();
    await waitFor(async () => (await withClient(two.url, (c) => c.query(waiting))).rows[0].n === 1);
    await withClient(two.url, (c) =>
      c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'imsg-hub turn' AND state = 'idle'"),
    );
    (await aAgain)();
    endB();
  });

  it('lets one writer at a time hold an account, released on request or when its connection dies', async () => {
    await using two = await openTwo();
    expect(await two.a.accountHeld('alice')).toBe(false);
    expect(await two.a.holdAccount('alice')).toBe(true);
    expect(await two.a.holdAccount('alice')).toBe(true); // already ours
    expect(await two.b.holdAccount('alice')).toBe(false);
    expect(await two.b.accountHeld('alice')).toBe(true);
    expect(await two.b.holdAccount('bob')).toBe(true);
    await two.a.releaseAccount('alice');
    expect(await two.b.accountHeld('alice')).toBe(false);
    expect(await two.b.holdAccount('alice')).toBe(true);
    // b's claims connection dies (its hub was killed, a network cut): every claim goes at once.
    let lost = 0;
    two.b.onHoldsLost(() => lost++);
    await withClient(two.url, (c) => c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'imsg-hub holds'"));
    await waitFor(() => lost === 1);
    expect(await two.a.accountHeld('bob')).toBe(false);
    expect(await two.a.holdAccount('alice')).toBe(true);
    expect(await two.b.holdAccount('alice')).toBe(false); // b reconnects for new claims
    expect(await two.b.holdAccount('bob')).toBe(true);
  });

  it('claims again on a new connection when the server ended the idle claims connection', async () => {
    await using two = await openTwo();
    expect(await two.a.holdAccount('carol')).toBe(true);
    await two.a.releaseAccount('carol');
    // Nothing held: the server ending the connection says nothing to the hub, and the next claim must not fail.
    await withClient(two.url, (c) => c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'imsg-hub holds'"));
    expect(await two.a.holdAccount('carol')).toBe(true);
    expect(await two.b.holdAccount('carol')).toBe(false);
  });

  it("tells each writer of every writer's outbox changes", async () => {
    await using two = await openTwo();
    const heard: unknown[] = [];
    two.a.onOutbox((change) => heard.push(change));
    // The listening connection reports the maximum seq once it is up.
    await new Promise<void>((resolve) => two.a.onCommit(() => resolve()));
    const send = {
      account: 'bob',
      method: 'send',
      target: '+1',
      route: 'explicit',
      chatId: undefined,
      params: {},
      file: undefined,
      requestHash: 'h',
      client: undefined,
      expiresAt: undefined,
    };
    await two.b.outboxInsert({ key: 'k1', ...send });
    await two.b.outboxUpdate('k1', { state: 'dispatched', attempts: 1 });
    await two.b.outboxUpdate('k1', { state: 'sent', result: { ok: true } });
    await waitFor(() => heard.length === 3);
    expect(heard).toEqual([
      { account: 'bob', key: 'k1', state: 'queued' },
      { account: 'bob', key: 'k1', state: 'dispatched' },
      { account: 'bob', key: 'k1', state: 'sent' },
    ]);
  });

  it('numbers sends from several writers without collisions', async () => {
    await using two = await openTwo();
    const send = (key: string) => ({
      key,
      account: 'alice',
      method: 'send',
      target: '+15550001',
      route: 'explicit',
      chatId: undefined,
      params: { text: key },
      file: undefined,
      requestHash: key,
      client: undefined,
      expiresAt: undefined,
    });
    const rows = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? two.a : two.b).outboxInsert(send(`k${i}`))));
    expect(new Set(rows.map((r) => r.n)).size).toBe(20);
  });

  it('shares send buckets and webhook leases between writers: of racing takes, the bucket decides', async () => {
    await using two = await openTwo();
    const rate = { perMinute: 60, burst: 5 };
    const now = Date.now();
    const takes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? two.a : two.b).takeSendToken('alice', rate, now)));
    expect(takes.filter((t) => t.ok)).toHaveLength(5);
    const leases = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? two.a : two.b).leaseWebhook('w', `hub-${i}`, 30_000, now)));
    expect(leases.filter(Boolean)).toHaveLength(1);
    const holder = `hub-${leases.indexOf(true)}`;
    expect(await two.a.leaseWebhook('w', 'other', 30_000, now + 29_999)).toBe(false);
    await two.b.releaseWebhook('w', holder);
    expect(await two.a.leaseWebhook('w', 'other', 30_000, now)).toBe(true);
  });

  it('keeps what PostgreSQL text cannot hold (NUL, 5 KB words) inside message bodies', async () => {
    await using two = await openTwo();
    await two.a.ensureAccount('alice');
    const m = messageRecord(1, 'alice', 1);
    const odd = { ...m, body: { ...m.body, text: 'nul \u0000 here, lone \ud800 surrogate, emoji 👍' } };
    // A word longer than PostgreSQL's text search takes (2 KB): stored, searchable by its other words.
    const long = messageRecord(2, 'alice', 1, { body: { ...m.body, text: `findme ${'z'.repeat(5000)}` } });
    await two.a.commit(commitOf({ chats: [chatRecord(1, 'alice')], messages: [odd, long] }));
    expect(await two.b.messages({ order: 'asc', limit: 2 })).toEqual([odd, long]);
    expect((await two.b.searchMessages({ words: ['findme'], limit: 5 })).map((r) => r.seq)).toEqual([2]);
  });
});
