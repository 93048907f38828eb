import { parseParams } from '@imsg-hub/hub-protocol';
import type { Store } from '@imsg-hub/store';
import { uploaderRef } from './blob-access.js';
import type { BlobStore } from './blob-store.js';

/**
 * Answers `upload.*` for the connection `owner` (uploads are private to the connection that began
 * them); a finished upload is recorded as the token's, so that token may send and fetch it.
 */
export async function answerUpload(
  hub: { blobs: BlobStore; store: Store },
  uploader: { connection: string; tokenId: string },
  method: string,
  params: unknown,
): Promise<unknown> {
  const { blobs } = hub;
  const owner = uploader.connection;
  switch (method) {
    case 'upload.begin':
      return blobs.begin(owner, parseParams('upload.begin', params).size);
    case 'upload.chunk': {
      const p = parseParams('upload.chunk', params);
      blobs.chunk(owner, p.upload_id, p.offset, Buffer.from(p.data, 'base64'));
      return {};
    }
    default: {
      const p = parseParams('upload.finish', params);
      const done = blobs.finish(owner, p.upload_id, p.sha256);
      await hub.store.addBlobOwner(done.sha256, uploaderRef(uploader.tokenId));
      return done;
    }
  }
}
