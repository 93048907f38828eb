import { createHash, type Hash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { opendir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BLOB_CHUNK_BYTES, HubError } from '@imsg-hub/hub-protocol';
import type { SharedBlobs } from '@imsg-hub/store';
import { nanoid } from 'nanoid';

interface Upload {
  id: string;
  owner: string;
  /** Whose quota the upload counts against (the token's uploader ref). */
  quota: string;
  size: number;
  written: number;
  fd: number;
  path: string;
  hash: Hash;
  lastActiveAt: number;
}

const SHA256 = /^[0-9a-f]{64}$/;
/** Uploads one connection may have open at once (each holds a file descriptor). */
const MAX_OPEN_UPLOADS = 8;
/** An upload with no chunk for this long is abandoned. */
const UPLOAD_IDLE_MS = 10 * 60_000;

/**
 * Content-addressed file store in the hub's data dir: `blobs/ab/<sha256>`. Uploads are written to
 * `uploads/` and renamed into place only once their size and sha256 check out, so nothing
 * half-written is ever visible, and a refused upload leaves nothing behind. With several hubs on one
 * store (`shared`: PostgreSQL), every finished upload is also kept there, and a blob another hub
 * received is fetched from there into this data dir the first time it is asked for (`ensure`).
 */
export class BlobStore {
  readonly #blobs: string;
  readonly #uploads: string;
  readonly #maxBytes: number;
  readonly #open = new Map<string, Upload>();

  readonly #chunkBytes: number;
  readonly #shared: SharedBlobs | undefined;
  readonly #fetching = new Map<string, Promise<boolean>>();

  /** `maxFrameBytes`: chunks, base64-encoded inside a JSON-RPC frame, must fit in one frame. */
  constructor(dataDir: string, maxBytes: number, maxFrameBytes = 4 * 1024 * 1024, shared?: SharedBlobs) {
    this.#shared = shared;
    this.#chunkBytes = Math.max(1024, Math.min(BLOB_CHUNK_BYTES, Math.floor(((maxFrameBytes - 1024) * 3) / 4)));
    this.#blobs = join(dataDir, 'blobs');
    this.#uploads = join(dataDir, 'uploads');
    this.#maxBytes = maxBytes;
    mkdirSync(this.#blobs, { recursive: true });
    // Leftovers of uploads interrupted by a crash are never valid.
    rmSync(this.#uploads, { recursive: true, force: true });
    mkdirSync(this.#uploads, { recursive: true });
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** Bytes and count of uploads open now that count against `quota`. */
  pending(quota: string): { bytes: number; count: number } {
    let bytes = 0;
    let count = 0;
    for (const u of this.#open.values()) {
      if (u.quota !== quota) continue;
      bytes += u.size;
      count++;
    }
    return { bytes, count };
  }

  begin(owner: string, size: number, quota = owner): { upload_id: string; chunk_bytes: number } {
    this.#sweep();
    const open = [...this.#open.values()].filter((u) => u.owner === owner).length;
    if (open >= MAX_OPEN_UPLOADS) {
      throw new HubError('INVALID_PARAMS', `${open} uploads are already open on this connection; finish one before starting another`);
    }
    if (size > this.#maxBytes) {
      throw new HubError('PAYLOAD_TOO_LARGE', `file of ${size} bytes exceeds the hub's limit of ${this.#maxBytes} bytes (send.max_file_bytes)`, {
        size,
        limit: this.#maxBytes,
      });
    }
    const id = nanoid();
    const path = join(this.#uploads, id);
    this.#open.set(id, { id, owner, quota, size, written: 0, fd: openSync(path, 'wx', 0o600), path, hash: createHash('sha256'), lastActiveAt: Date.now() });
    return { upload_id: id, chunk_bytes: this.#chunkBytes };
  }

  chunk(owner: string, id: string, offset: number, data: Buffer): void {
    const u = this.#upload(owner, id);
    if (offset !== u.written) {
      throw new HubError('INVALID_PARAMS', `upload ${id}: chunk offset ${offset} but ${u.written} bytes written so far; send chunks in order`);
    }
    if (u.written + data.length > u.size) {
      this.abort(id);
      throw new HubError('PAYLOAD_TOO_LARGE', `upload ${id}: more bytes than the declared size ${u.size}; upload aborted`);
    }
    writeSync(u.fd, data);
    u.hash.update(data);
    u.written += data.length;
    u.lastActiveAt = Date.now();
  }

  finish(owner: string, id: string, sha256: string): { sha256: string; size: number } {
    const u = this.#upload(owner, id);
    const actual = u.hash.digest('hex');
    this.#open.delete(id);
    fsyncSync(u.fd);
    closeSync(u.fd);
    if (u.written !== u.size || actual !== sha256) {
      rmSync(u.path, { force: true });
      throw new HubError('INVALID_PARAMS', `upload ${id} is corrupt: got ${u.written}/${u.size} bytes, sha256 ${actual}, expected ${sha256}; upload it again`);
    }
    const dir = join(this.#blobs, sha256.slice(0, 2));
    mkdirSync(dir, { recursive: true });
    renameSync(u.path, join(dir, sha256));
    return { sha256, size: u.size };
  }

  abort(id: string): void {
    const u = this.#open.get(id);
    if (!u) return;
    this.#open.delete(id);
    closeSync(u.fd);
    rmSync(u.path, { force: true });
  }

  /** Aborts uploads that stopped receiving chunks. */
  #sweep(now = Date.now()): void {
    for (const u of [...this.#open.values()]) if (now - u.lastActiveAt > UPLOAD_IDLE_MS) this.abort(u.id);
  }

  /** Aborts every upload of a connection that went away. */
  abortOwner(owner: string): void {
    for (const u of [...this.#open.values()]) if (u.owner === owner) this.abort(u.id);
  }

  /**
   * Deletes a collected blob's file unless it was written at or after `before` (Unix ms): the same
   * bytes uploaded again while it was being collected stay. Whether it was deleted.
   */
  remove(sha256: string, before: number): boolean {
    const p = this.path(sha256);
    if (!p) return false;
    try {
      if (statSync(p).mtimeMs >= before) return false;
      rmSync(p, { force: true });
      return true;
    } catch {
      return false;
    }
  }

  /** Keeps a finished upload's bytes in the shared store (none: nothing to do). */
  async share(sha256: string): Promise<void> {
    const p = this.path(sha256);
    if (this.#shared && p) await this.#shared.put(sha256, await readFile(p), Date.now());
  }

  /**
   * The blob's file here, fetched from the shared store first when another hub received it (one
   * fetch however many ask at once); undefined when neither has it. Bytes whose sha256 does not
   * match are refused (and nothing is written).
   */
  async localPath(sha256: string): Promise<string | undefined> {
    const here = this.path(sha256);
    if (here || !this.#shared || !SHA256.test(sha256)) return here;
    let fetching = this.#fetching.get(sha256);
    if (!fetching) {
      fetching = this.#fetch(this.#shared, sha256).finally(() => this.#fetching.delete(sha256));
      this.#fetching.set(sha256, fetching);
    }
    return (await fetching) ? this.path(sha256) : undefined;
  }

  async #fetch(shared: SharedBlobs, sha256: string): Promise<boolean> {
    const data = await shared.get(sha256);
    if (!data) return false;
    if (createHash('sha256').update(data).digest('hex') !== sha256) {
      throw new HubError('INTERNAL', `the shared store's copy of blob ${sha256} is corrupt (its sha256 differs); upload the file again`);
    }
    const tmp = join(this.#uploads, `fetch-${nanoid()}`);
    await writeFile(tmp, data);
    const dir = join(this.#blobs, sha256.slice(0, 2));
    mkdirSync(dir, { recursive: true });
    renameSync(tmp, join(dir, sha256));
    return true;
  }

  /**
   * The blobs here whose file was last written before `before` (Unix ms), read without blocking:
   * what the collector checks for files nothing references (an upload whose record a crash lost,
   * or another hub's blob collected there after this hub fetched it).
   */
  async *filesBefore(before: number): AsyncGenerator<string> {
    for await (const f of blobFiles(this.#blobs)) if (f.mtimeMs < before) yield f.sha256;
  }

  path(sha256: string): string | undefined {
    if (!SHA256.test(sha256)) return undefined;
    const p = join(this.#blobs, sha256.slice(0, 2), sha256);
    return existsSync(p) ? p : undefined;
  }

  size(sha256: string): number | undefined {
    const p = this.path(sha256);
    return p === undefined ? undefined : statSync(p).size;
  }

  /** A chunk of a blob, base64 (fetched from the shared store first when another hub received it). */
  async read(sha256: string, offset: number, length: number): Promise<{ data: string; size: number; eof: boolean }> {
    const p = await this.localPath(sha256);
    if (!p) throw new HubError('NOT_FOUND', `no blob ${sha256} in the hub's store`);
    const size = statSync(p).size;
    const n = Math.max(0, Math.min(length, size - offset));
    const buf = Buffer.alloc(n);
    const fd = openSync(p, 'r');
    try {
      if (n > 0) readSync(fd, buf, 0, n, offset);
    } finally {
      closeSync(fd);
    }
    return { data: buf.toString('base64'), size, eof: offset + n >= size };
  }

  #upload(owner: string, id: string): Upload {
    const u = this.#open.get(id);
    if (!u || u.owner !== owner) throw new HubError('NOT_FOUND', `no open upload ${id} on this connection; start with upload.begin`);
    return u;
  }
}

/**
 * Every blob file under a blob dir (`<dir>/ab/<sha256>`), with its time, read without blocking and
 * without writing (a hub may be running on it): what the collector checks for orphans and what
 * `imsg-hub migrate` copies into a shared store (`<data_dir>/blobs`). Files that vanish meanwhile
 * are skipped.
 */
export async function* blobFiles(dir: string): AsyncGenerator<{ sha256: string; path: string; mtimeMs: number }> {
  if (!existsSync(dir)) return;
  for await (const prefix of await opendir(dir)) {
    if (!prefix.isDirectory() || !/^[0-9a-f]{2}$/.test(prefix.name)) continue;
    for await (const f of await opendir(join(dir, prefix.name))) {
      if (!SHA256.test(f.name) || !f.name.startsWith(prefix.name)) continue;
      const path = join(dir, prefix.name, f.name);
      const mtimeMs = await stat(path).then(
        (s) => s.mtimeMs,
        () => undefined,
      );
      if (mtimeMs !== undefined) yield { sha256: f.name, path, mtimeMs };
    }
  }
}
