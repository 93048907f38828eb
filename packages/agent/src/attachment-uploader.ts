import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PeerError, type Peer } from '@imsg-hub/jsonrpc';
import { BLOB_CHUNK_BYTES, HubError, callHub, type RowBlob } from '@imsg-hub/hub-protocol';
import type { ImsgAttachment, ImsgMessage } from '@imsg-hub/imsg-protocol';
import type { Logger } from 'pino';
import type { SourceFiles } from './imsg-source.js';
import type { PathGuard } from './path-guard.js';

export interface AttachmentUploaderOptions {
  files: SourceFiles;
  maxBytes: number;
  /** How long to wait for a live row's file to appear or finish materialising. */
  waitMs: number;
  pollMs?: number;
  /** The account's attachments_root: files whose real path lies elsewhere are never read. */
  root: PathGuard;
  log: Logger;
}

/**
 * Ships the bytes of inbound attachments to the hub before their row (docs/hub-protocol.md,
 * attachments in). Messages may still be writing a file when its row appears (openclaw#135860):
 * a live row's file is awaited, bounded by `waitMs`, while it is missing or smaller than announced.
 * Only files whose real path lies under the account's attachments root are read (issue 10, point 4):
 * a row naming any other file is forwarded without its bytes (`failed`), with a warning.
 */
export class AttachmentUploader {
  readonly #o: AttachmentUploaderOptions;

  constructor(options: AttachmentUploaderOptions) {
    this.#o = options;
  }

  /** The row's `blobs`, or undefined when it has no attachments. Link failures are thrown. */
  async blobsFor(message: ImsgMessage, peer: Peer, live: boolean): Promise<RowBlob[] | undefined> {
    if (message.attachments.length === 0) return undefined;
    const blobs: RowBlob[] = [];
    for (const [index, attachment] of message.attachments.entries()) {
      blobs.push({ index, ...(await this.#one(attachment, peer, live)) });
    }
    return blobs;
  }

  async #one(a: ImsgAttachment, peer: Peer, live: boolean): Promise<Omit<RowBlob, 'index'>> {
    const path = a.original_path;
    if (!path) return { state: 'missing' };
    if (a.total_bytes > this.#o.maxBytes) return { state: 'too_large', size: a.total_bytes };
    try {
      if (live) await this.#awaitMaterialised(path, a.total_bytes);
      const real = await this.#o.root.inside(path);
      if (real === undefined) return await this.#outside(path);
      const read = await this.#o.files.read(real, this.#o.maxBytes);
      if (read.state === 'missing') return { state: 'missing' };
      if (read.state === 'too_large') return { state: 'too_large', size: read.size };
      if (read.bytes.length === 0) return { state: 'missing' };
      return await this.#upload(peer, read.bytes, a);
    } catch (err) {
      if (err instanceof PeerError) throw err; // the link is gone: the row is sent again later
      const hub = HubError.from(err);
      if (hub?.hubCode === 'PAYLOAD_TOO_LARGE') return { state: 'too_large' };
      this.#o.log.warn({ code: hub?.hubCode ?? (err as { code?: unknown }).code, err: hub?.message }, 'attachment upload failed');
      this.#o.log.debug({ err: (err as Error).message, path }, 'attachment upload failed');
      return { state: 'failed' };
    }
  }

  /** A file imsg reports outside the attachments root: missing if it is not there, else never read. */
  async #outside(path: string): Promise<Omit<RowBlob, 'index'>> {
    if ((await this.#o.files.size(path)) === undefined) return { state: 'missing' };
    // The path may name private files: only at debug.
    this.#o.log.warn(
      { attachments_root: this.#o.root.root },
      "attachment not uploaded: its real path is outside the account's attachments_root (set attachments_root if Messages keeps files elsewhere)",
    );
    this.#o.log.debug({ path }, 'attachment outside attachments_root');
    return { state: 'failed' };
  }

  async #awaitMaterialised(path: string, totalBytes: number): Promise<void> {
    const deadline = Date.now() + this.#o.waitMs;
    for (;;) {
      const size = await this.#o.files.size(path);
      if (size !== undefined && size > 0 && size >= totalBytes) return;
      if (Date.now() >= deadline) return;
      await sleep(this.#o.pollMs ?? 250);
    }
  }

  async #upload(peer: Peer, bytes: Buffer, a: ImsgAttachment): Promise<Omit<RowBlob, 'index'>> {
    const name = (a.transfer_name || a.filename.split('/').pop() || 'attachment').slice(0, 255);
    const begin = await callHub(peer, 'upload.begin', {
      size: bytes.length,
      name,
      ...(a.mime_type ? { mime_type: a.mime_type.slice(0, 200) } : {}),
    });
    const chunk = Math.max(1, Math.min(begin.chunk_bytes, BLOB_CHUNK_BYTES));
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      const data = bytes.subarray(offset, offset + chunk).toString('base64');
      await callHub(peer, 'upload.chunk', { upload_id: begin.upload_id, offset, data });
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const done = await callHub(peer, 'upload.finish', { upload_id: begin.upload_id, sha256 });
    return { state: 'stored', sha256: done.sha256, size: done.size };
  }
}
