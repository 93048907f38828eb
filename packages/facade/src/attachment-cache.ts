import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { HubClient } from '@imsg-hub/hub-client';
import type { HubAttachment } from '@imsg-hub/hub-protocol';
import type { ImsgAttachment } from '@imsg-hub/imsg-protocol';
import { isLinkFailure } from './facade-errors.js';
import type { FacadeLog } from './facade-log.js';
import { stripAttachment } from './imsg-shape.js';

/** A file name safe to create: the attachment's own name without any directory part. */
export function cacheFileName(a: Pick<HubAttachment, 'transfer_name' | 'filename'>): string {
  const raw = a.transfer_name || basename(a.filename.replace(/\\/g, '/')) || 'attachment';
  const clean = basename(raw.replace(/\\/g, '/'))
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .slice(0, 200);
  return clean === '' || clean === '.' || clean === '..' ? 'attachment' : clean;
}

/**
 * Inbound attachments for imsg clients on this machine: the hub keeps the bytes, this cache puts
 * them at `<dir>/<sha256>/<name>` (owner-only) so `original_path` is a real local file, as with
 * imsg on a Mac. Files are written whole then renamed, so a present file is a complete one.
 */
export class AttachmentCache {
  readonly dir: string;
  readonly #log: FacadeLog;
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(dir: string, log: FacadeLog) {
    this.dir = dir;
    this.#log = log;
  }

  /**
   * imsg attachments with `original_path` pointing into the cache and `missing` telling whether the
   * bytes are there. With `strict`, a broken hub link throws (the caller retries when it is back);
   * otherwise every failure just marks the attachment missing.
   */
  async localize(client: HubClient, attachments: readonly HubAttachment[], strict: boolean): Promise<ImsgAttachment[]> {
    const out: ImsgAttachment[] = [];
    for (const a of attachments) {
      if (!a.blob || a.blob_state !== 'stored') {
        out.push({ ...stripAttachment(a), missing: true });
        continue;
      }
      const path = join(this.dir, a.blob, cacheFileName(a));
      try {
        if (!existsSync(path)) await this.#fetch(client, a.blob, path);
        out.push({ ...stripAttachment(a), original_path: path, missing: false });
      } catch (err) {
        if (strict && isLinkFailure(err)) throw err;
        this.#log.warn({ sha256: a.blob, error: (err as Error).message }, 'attachment not fetched from the hub');
        out.push({ ...stripAttachment(a), missing: true });
      }
    }
    return out;
  }

  #fetch(client: HubClient, sha256: string, path: string): Promise<void> {
    const pending = this.#inFlight.get(path);
    if (pending) return pending;
    const work = this.#download(client, sha256, path).finally(() => this.#inFlight.delete(path));
    this.#inFlight.set(path, work);
    return work;
  }

  async #download(client: HubClient, sha256: string, path: string): Promise<void> {
    const bytes = await client.download(sha256);
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) throw new Error(`blob ${sha256} arrived with sha256 ${actual}`);
    const dir = join(this.dir, sha256);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `.${randomBytes(6).toString('hex')}.part`);
    try {
      await writeFile(tmp, bytes, { mode: 0o600 });
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}
