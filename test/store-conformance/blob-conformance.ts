import type { CommitRecords, OutboxInsert, Store } from '@imsg-hub/store';
import { expect, it } from 'vitest';

// The store port's blob bookkeeping (issue 10, point 8): upload quotas count what each token keeps
// stored that no message references, and collection forgets blobs nothing references any more.
// Registered inside storeConformance's describe, on its fresh store.

const commitOf = (over: Partial<CommitRecords>): CommitRecords => ({
  messages: [],
  chats: [],
  handles: [],
  affinity: [],
  accounts: [],
  blobRefs: [],
  outboxLinks: [],
  ...over,
});

const sendWith = (key: string, sha256: string): OutboxInsert => ({
  key,
  account: 'alice',
  method: 'send',
  target: '+15550001',
  route: 'explicit',
  chatId: undefined,
  params: { to: '+15550001' },
  file: { sha256, name: 'a.bin', size: 3 },
  requestHash: `hash-${key}`,
  client: 'c1',
  expiresAt: undefined,
});

const sha = (c: string) => c.repeat(64);

export function blobConformance(store: () => Store): void {
  it('counts each uploader’s unreferenced blobs, and collects blobs no message or pending send references once old', async () => {
    const s = store();
    expect(await s.blobUsage('token:t1')).toEqual({ bytes: 0, count: 0 });
    await s.addBlobOwner(sha('a'), 'token:t1', { size: 100, at: 1_000 });
    await s.addBlobOwner(sha('b'), 'token:t1', { size: 20, at: 1_000 });
    await s.addBlobOwner(sha('b'), 'token:t2', { size: 20, at: 5_000 });
    await s.addBlobOwner(sha('c'), 'token:t1', { size: 7, at: 1_000 });
    await s.addBlobOwner(sha('d'), 'token:t1', { size: 9, at: 1_000 });
    await s.addBlobOwner(sha('e'), 'token:t1', { size: 1, at: 9_000 });
    // Uploading again refreshes the size and time; it is still one blob.
    await s.addBlobOwner(sha('a'), 'token:t1', { size: 100, at: 1_500 });
    expect(await s.blobUsage('token:t1')).toEqual({ bytes: 137, count: 5 });
    expect(await s.blobUsage('token:t2')).toEqual({ bytes: 20, count: 1 });
    // A stored message carries c: it no longer counts against its uploader.
    await s.commit(commitOf({ blobRefs: [{ sha256: sha('c'), owner: 'alice' }] }));
    expect(await s.blobUsage('token:t1')).toEqual({ bytes: 130, count: 4 });
    // d is named by a queued send; a's send is over (final sends do not keep blobs).
    await s.outboxInsert(sendWith('k-d', sha('d')));
    await s.outboxInsert(sendWith('k-a', sha('a')));
    await s.outboxUpdate('k-a', { state: 'sent', result: { ok: true } });
    // Before 6000: a (uploads at 1500) goes; b (t2 uploaded it at 5000) goes; c (message), d (send), e (new) stay.
    expect((await s.collectBlobs(6_000, 100)).sort()).toEqual([sha('a'), sha('b')]);
    expect(await s.blobOwners(sha('a'))).toEqual([]);
    expect(await s.blobOwners(sha('b'))).toEqual([]);
    expect(await s.blobOwners(sha('c'))).toEqual(['alice', 'token:t1']);
    expect(await s.blobOwners(sha('d'))).toEqual(['token:t1']);
    expect(await s.blobsWithOwners([sha('a'), sha('c'), sha('d'), sha('0')])).toEqual(new Set([sha('c'), sha('d')]));
    expect(await s.blobsWithOwners([])).toEqual(new Set());
    expect(await s.blobUsage('token:t1')).toEqual({ bytes: 10, count: 2 });
    expect(await s.blobUsage('token:t2')).toEqual({ bytes: 0, count: 0 });
    expect(await s.collectBlobs(6_000, 100)).toEqual([]);
    // A send in doubt may be resent: d stays while it is in doubt; once it fails, d is collected too.
    await s.outboxUpdate('k-d', { state: 'dispatched' });
    await s.outboxUpdate('k-d', { state: 'in_doubt' });
    expect(await s.collectBlobs(10_000, 100)).toEqual([sha('e')]);
    await s.addBlobOwner(sha('e'), 'token:t1', { size: 1, at: 9_000 });
    await s.outboxUpdate('k-d', { state: 'failed' });
    // The limit bounds each call.
    expect(await s.collectBlobs(10_000, 1)).toHaveLength(1);
    expect(await s.collectBlobs(10_000, 100)).toHaveLength(1);
    expect(await s.blobUsage('token:t1')).toEqual({ bytes: 0, count: 0 });
    expect(await s.blobOwners(sha('c'))).toEqual(['alice', 'token:t1']);
  });

  it('keeps blob bytes for every hub where the store is shared, and collects them with their refs', async () => {
    const s = store();
    if (s.sharedBlobs === undefined) {
      // A store one hub owns (SQLite) keeps no bytes: that hub's data dir does.
      expect(s.sharedBlobs).toBeUndefined();
      return;
    }
    const shared = s.sharedBlobs;
    const bytes = Buffer.from('the photo, every byte of it');
    await shared.put(sha('f'), bytes, 1_000);
    await shared.put(sha('f'), bytes, 2_000); // uploaded again: one copy, time refreshed
    expect(await shared.get(sha('f'))).toEqual(bytes);
    expect(await shared.get(sha('0'))).toBeUndefined();
    await s.addBlobOwner(sha('f'), 'token:t1', { size: bytes.length, at: 2_000 });
    // g's ref is old, but its bytes were uploaded again after `before`: the ref goes, the bytes stay.
    await s.addBlobOwner(sha('9'), 'token:t1', { size: 1, at: 1_000 });
    await shared.put(sha('9'), Buffer.from('g'), 7_000);
    expect((await s.collectBlobs(6_000, 100)).sort()).toEqual([sha('9'), sha('f')]);
    expect(await shared.get(sha('f'))).toBeUndefined();
    expect(await shared.get(sha('9'))).toEqual(Buffer.from('g'));
  });
}
