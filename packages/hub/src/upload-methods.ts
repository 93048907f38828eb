import type { AGENT_TO_HUB, MethodHandlers } from '@imsg-hub/hub-protocol';
import type { Store } from '@imsg-hub/store';
import { uploaderRef } from './blob-access.js';
import type { BlobStore } from './blob-store.js';

type UploadHandlers = Pick<MethodHandlers<typeof AGENT_TO_HUB>, 'upload.begin' | 'upload.chunk' | 'upload.finish'>;

/**
 * Handlers for `upload.*`, for agents and clients alike. Uploads are private to the connection
 * that began them; a finished upload is recorded as the token's, so that token may send and fetch it.
 */
export function uploadHandlers(hub: { blobs: BlobStore; store: Store }, uploader: { connection: string; tokenId: string }): UploadHandlers {
  const { blobs } = hub;
  const owner = uploader.connection;
  return {
    'upload.begin': (p) => blobs.begin(owner, p.size),
    'upload.chunk': (p) => {
      blobs.chunk(owner, p.upload_id, p.offset, Buffer.from(p.data, 'base64'));
      return {};
    },
    'upload.finish': async (p) => {
      const done = blobs.finish(owner, p.upload_id, p.sha256);
      await hub.store.addBlobOwner(done.sha256, uploaderRef(uploader.tokenId));
      return done;
    },
  };
}
