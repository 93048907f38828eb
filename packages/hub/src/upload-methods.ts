import { HubError, type AGENT_TO_HUB, type MethodHandlers } from '@imsg-hub/hub-protocol';
import type { Store } from '@imsg-hub/store';
import { uploaderRef } from './blob-access.js';
import type { BlobStore } from './blob-store.js';
import type { BlobsConfig } from './config.js';

type UploadHandlers = Pick<MethodHandlers<typeof AGENT_TO_HUB>, 'upload.begin' | 'upload.chunk' | 'upload.finish'>;

/**
 * Handlers for `upload.*`, for agents and clients alike. Uploads are private to the connection
 * that began them; a finished upload is recorded as the token's, so that token may send and fetch it.
 * Each token may keep `blobs.quota_bytes` / `blobs.quota_count` of blobs no stored message references
 * (its pending sends and unused uploads, plus uploads open now): more is refused at upload.begin.
 */
export function uploadHandlers(
  hub: { blobs: BlobStore; store: Store; config: { blobs: BlobsConfig } },
  uploader: { connection: string; tokenId: string },
): UploadHandlers {
  const { blobs } = hub;
  const owner = uploader.connection;
  const ref = uploaderRef(uploader.tokenId);
  return {
    'upload.begin': async (p) => {
      await checkQuota(hub, ref, p.size);
      return blobs.begin(owner, p.size, ref);
    },
    'upload.chunk': (p) => {
      blobs.chunk(owner, p.upload_id, p.offset, Buffer.from(p.data, 'base64'));
      return {};
    },
    'upload.finish': async (p) => {
      const done = blobs.finish(owner, p.upload_id, p.sha256);
      // The owner first: a collection running meanwhile then keeps the bytes shared next.
      await hub.store.addBlobOwner(done.sha256, ref, { size: done.size, at: Date.now() });
      await blobs.share(done.sha256);
      return done;
    },
  };
}

async function checkQuota(hub: { blobs: BlobStore; store: Store; config: { blobs: BlobsConfig } }, ref: string, size: number): Promise<void> {
  const { quota_bytes: maxBytes, quota_count: maxCount, grace_s: graceS } = hub.config.blobs;
  const stored = await hub.store.blobUsage(ref);
  const open = hub.blobs.pending(ref);
  const bytes = stored.bytes + open.bytes;
  const count = stored.count + open.count;
  if (bytes + size <= maxBytes && count + 1 <= maxCount) return;
  const over = count + 1 > maxCount ? `${count} files (blobs.quota_count is ${maxCount})` : `${bytes} bytes (blobs.quota_bytes is ${maxBytes})`;
  throw new HubError(
    'QUOTA_EXCEEDED',
    `upload refused: this token already keeps ${over} of uploads no message references, and this file is ${size} bytes; send or drop pending files — uploads no message or pending send uses are deleted ${graceS} s after upload — or raise the quota in the hub config`,
    { bytes, count, size, quota_bytes: maxBytes, quota_count: maxCount },
  );
}
