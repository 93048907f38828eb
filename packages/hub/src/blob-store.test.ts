import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SharedBlobs } from '@imsg-hub/store';
import { BlobStore } from './blob-store.js';

let dir: string;
let blobs: BlobStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'blobs-'));
  blobs = new BlobStore(dir, 1000, 64 * 1024);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('BlobStore', () => {
  it('stores a verified upload under its sha256 and nothing else', async () => {
    const bytes = Buffer.from('hello world');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const { upload_id, chunk_bytes } = blobs.begin('c1', bytes.length);
    expect(chunk_bytes).toBeLessThanOrEqual(((64 * 1024 - 1024) * 3) / 4);
    blobs.chunk('c1', upload_id, 0, bytes.subarray(0, 5));
    expect(() => blobs.chunk('c1', upload_id, 0, bytes.subarray(5))).toThrow(/chunk offset 0 but 5 bytes written/);
    blobs.chunk('c1', upload_id, 5, bytes.subarray(5));
    expect(blobs.finish('c1', upload_id, sha)).toEqual({ sha256: sha, size: bytes.length });
    expect(Buffer.from((await blobs.read(sha, 0, 100)).data, 'base64').toString()).toBe('hello world');
    expect(readdirSync(join(dir, 'uploads'))).toEqual([]);
  });

  it('refuses oversize, corrupt and foreign uploads, leaving nothing behind', () => {
    expect(() => blobs.begin('c1', 1001)).toThrow(/exceeds the hub's limit of 1000 bytes/);
    const { upload_id } = blobs.begin('c1', 3);
    expect(() => blobs.chunk('c2', upload_id, 0, Buffer.from('abc'))).toThrow(/no open upload/);
    blobs.chunk('c1', upload_id, 0, Buffer.from('abc'));
    expect(() => blobs.finish('c1', upload_id, '0'.repeat(64))).toThrow(/is corrupt/);
    expect(readdirSync(join(dir, 'uploads'))).toEqual([]);
    expect(readdirSync(join(dir, 'blobs'))).toEqual([]);
  });

  it('bounds the uploads one connection may hold open', () => {
    for (let i = 0; i < 8; i++) blobs.begin('greedy', 10);
    expect(() => blobs.begin('greedy', 10)).toThrow(/8 uploads are already open on this connection/);
    expect(() => blobs.begin('other', 10)).not.toThrow();
    blobs.abortOwner('greedy');
    expect(readdirSync(join(dir, 'uploads'))).toHaveLength(1);
  });

  it('counts open uploads per quota holder, and removes a collected blob only if it was not written again since', () => {
    const a = blobs.begin('c1', 100, 'token:t1');
    blobs.begin('c2', 50, 'token:t1');
    blobs.begin('c3', 7, 'token:t2');
    expect(blobs.pending('token:t1')).toEqual({ bytes: 150, count: 2 });
    blobs.abort(a.upload_id);
    expect(blobs.pending('token:t1')).toEqual({ bytes: 50, count: 1 });
    const bytes = Buffer.from('collect me');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const up = blobs.begin('c1', bytes.length);
    blobs.chunk('c1', up.upload_id, 0, bytes);
    blobs.finish('c1', up.upload_id, sha);
    expect(blobs.remove(sha, Date.now() - 60_000)).toBe(false); // written after the cut-off: kept
    expect(blobs.path(sha)).toBeDefined();
    expect(blobs.remove(sha, Date.now() + 1000)).toBe(true);
    expect(blobs.path(sha)).toBeUndefined();
    expect(blobs.remove(sha, Date.now() + 1000)).toBe(false);
  });

  it('with a shared store: keeps finished uploads there, and fetches what another hub received (checked) on first use', async () => {
    const kept = new Map<string, Buffer>();
    let gets = 0;
    const shared: SharedBlobs = {
      put: async (sha256, data) => void kept.set(sha256, Buffer.from(data)),
      get: async (sha256) => {
        gets++;
        return kept.get(sha256);
      },
    };
    const a = new BlobStore(join(dir, 'hub-a'), 1000, 64 * 1024, shared);
    const b = new BlobStore(join(dir, 'hub-b'), 1000, 64 * 1024, shared);
    const bytes = Buffer.from('a photo hub A received');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const up = a.begin('c1', bytes.length);
    a.chunk('c1', up.upload_id, 0, bytes);
    a.finish('c1', up.upload_id, sha);
    await a.share(sha);
    expect(kept.get(sha)).toEqual(bytes);

    expect(b.path(sha)).toBeUndefined();
    const [one, two] = await Promise.all([b.read(sha, 0, 100), b.read(sha, 2, 5)]); // one fetch for both
    expect(Buffer.from(one.data, 'base64')).toEqual(bytes);
    expect(Buffer.from(two.data, 'base64').toString()).toBe('photo');
    expect(gets).toBe(1);
    expect(b.path(sha)).toBeDefined();
    await b.read(sha, 0, 1);
    expect(gets).toBe(1); // now a local file

    // Unknown and corrupt copies: not found, and nothing written.
    await expect(b.read('1'.repeat(64), 0, 10)).rejects.toThrow(/no blob 1{64}/);
    kept.set('2'.repeat(64), Buffer.from('not those bytes'));
    await expect(b.localPath('2'.repeat(64))).rejects.toThrow(/is corrupt/);
    expect(b.path('2'.repeat(64))).toBeUndefined();
    expect(readdirSync(join(dir, 'hub-b', 'uploads'))).toEqual([]);
  });
});
