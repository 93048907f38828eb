import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Store } from '@imsg-hub/store';
import { PostgresStore, SqliteStore } from '@imsg-hub/store/open';
import { binPath, postgresAvailable, startPostgres, tempDir } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { chatRecord, commitOf, messageRecord } from './store-conformance/store-conformance.js';

const run = promisify(execFile);

/** Everything a store holds, read through the port. */
async function snapshot(store: Store, blobs: string[], webhooks: string[]) {
  return {
    ids: await store.maxIds(),
    accounts: await store.accounts(),
    chats: await store.chats(),
    messages: await store.messages({ order: 'asc', limit: 10_000 }),
    handles: await store.ownHandles(),
    affinity: await store.affinity(),
    tokens: await store.tokens(),
    outbox: await store.outbox({}),
    blobs: await Promise.all(blobs.map((b) => store.blobOwners(b))),
    webhooks: await Promise.all(webhooks.map((w) => store.webhookCursor(w))),
  };
}

// Issue 15, migration: `imsg-hub migrate --to postgres://…` copies a SQLite store with ids kept, and
// can be run again (after the SQLite hub stored more) to take the rest.
describe.skipIf(!postgresAvailable() && !process.env['CI'])('imsg-hub migrate --to postgres', () => {
  it('copies every table with ids kept, and a second run takes what was added since', async () => {
    await using tmp = tempDir('migrate-');
    await using pg = await startPostgres();
    const url = await pg.createDatabase('target');
    const dataDir = tmp.join('hub-data');
    mkdirSync(dataDir);
    const sqlite = new SqliteStore(tmp.join('hub-data', 'hub.db'));
    const sha = 'c'.repeat(64);
    try {
      await sqlite.ensureAccount('alice');
      await sqlite.ensureAccount('bob');
      const group = chatRecord(7, 'alice', { isGroup: true, participants: ['+15550001', 'b@x.com'], name: 'G' });
      await sqlite.commit(
        commitOf({
          chats: [group, chatRecord(9, 'bob')],
          messages: [messageRecord(3, 'alice', 7, { replay: true }), messageRecord(5, 'bob', 9, { guid: 'G-3', dupOf: 3, isFromMe: true })],
          handles: [{ handle: 'a@x.com', account: 'alice', source: 'learned' }],
          affinity: [{ handle: '+1555', account: 'bob', seq: 5 }],
          accounts: [{ name: 'alice', hwm: 3, lastRowAt: '2026-01-01T00:00:00.000Z', messageCount: 1 }],
          blobRefs: [{ sha256: sha, owner: 'alice' }],
        }),
      );
      await sqlite.insertToken({
        id: 't1',
        secretHash: Buffer.alloc(32, 9),
        role: 'agent',
        accounts: ['alice'],
        label: 'x',
        createdAt: 'c',
        revokedAt: undefined,
      });
      const base = { method: 'send', target: '+1', route: 'explicit', chatId: 7, params: { text: 'hi' }, requestHash: 'h', client: 'c', expiresAt: 5 };
      await sqlite.outboxInsert({ key: 'k1', account: 'alice', file: { sha256: sha, name: 'a.jpg', size: 3 }, ...base });
      await sqlite.outboxInsert({ key: 'k2', account: 'bob', file: undefined, ...base });
      await sqlite.outboxUpdate('k1', { state: 'sent', result: { ok: true, guid: 'G-3' }, messageSeq: 3 });
      await sqlite.setWebhookCursor('w1', 4);

      const migrate = () =>
        run(process.execPath, [binPath('imsg-hub'), 'migrate', '--to', url, '--data-dir', dataDir, '--json'], {
          env: { ...process.env, IMSG_HUB_STORE_URL: '' },
        });
      // An attachment this hub received: its bytes go into the database, for every hub to serve.
      const photo = Buffer.from('the bytes of a received photo');
      const photoSha = createHash('sha256').update(photo).digest('hex');
      mkdirSync(join(dataDir, 'blobs', photoSha.slice(0, 2)), { recursive: true });
      writeFileSync(join(dataDir, 'blobs', photoSha.slice(0, 2), photoSha), photo);
      const first = JSON.parse((await migrate()).stdout) as { copied: Record<string, number> };
      expect(first.copied).toMatchObject({ accounts: 2, chats: 2, messages: 2, tokens: 1, outbox: 2, blob_refs: 1, webhook_cursors: 1, blobs: 1 });
      const target = await PostgresStore.open(url);
      try {
        expect(await snapshot(target, [sha], ['w1'])).toEqual(await snapshot(sqlite, [sha], ['w1']));
        expect(await target.sharedBlobs.get(photoSha)).toEqual(photo);
        // Send numbers continue after the copied ones.
        expect((await target.outboxInsert({ key: 'k3', account: 'bob', file: undefined, ...base })).n).toBe(3);
      } finally {
        await target.close();
      }

      // The SQLite hub kept going: more rows, a send linked to its echo, a cursor moved.
      await sqlite.commit(commitOf({ messages: [messageRecord(6, 'alice', 7)], accounts: [{ name: 'alice', hwm: 6, lastRowAt: undefined, messageCount: 2 }] }));
      await sqlite.linkEcho(6, 'k2');
      await sqlite.setWebhookCursor('w1', 6);
      const second = JSON.parse((await migrate()).stdout) as { copied: Record<string, number> };
      expect(second.copied.messages).toBe(3);
      const again = await PostgresStore.open(url);
      try {
        const got = await snapshot(again, [sha], ['w1']);
        const want = await snapshot(sqlite, [sha], ['w1']);
        expect(got.messages).toEqual(want.messages);
        expect(got.accounts).toEqual(want.accounts);
        expect(got.webhooks).toEqual([6]);
        expect(got.ids).toEqual({ seq: 6, chatId: 9 });
        expect(got.outbox.map((o) => o.key)).toEqual(['k1', 'k2', 'k3']); // the target's own send is kept
      } finally {
        await again.close();
      }
    } finally {
      await sqlite.close();
    }
  });

  it('says what to do when there is no SQLite store or the URL is not PostgreSQL', async () => {
    await using tmp = tempDir('migrate-bad-');
    const cli = (args: string[]) =>
      run(process.execPath, [binPath('imsg-hub'), 'migrate', ...args]).then(
        () => '',
        (err: { stderr: string }) => err.stderr,
      );
    expect(await cli(['--to', 'mysql://x/y', '--data-dir', tmp.path])).toMatch(/--to must be a PostgreSQL URL/);
    if (postgresAvailable()) {
      await using pg = await startPostgres();
      expect(await cli(['--to', await pg.createDatabase(), '--data-dir', tmp.join('none')])).toMatch(/no SQLite store at .*hub\.db/);
    }
  });
});
