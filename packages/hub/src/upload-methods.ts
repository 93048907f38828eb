import { parseParams } from '@imsg-hub/hub-protocol';
import type { BlobStore } from './blob-store.js';

/** Answers `upload.*` for the connection `owner`; uploads are private to the connection that began them. */
export function answerUpload(blobs: BlobStore, owner: string, method: string, params: unknown): unknown {
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
      return blobs.finish(owner, p.upload_id, p.sha256);
    }
  }
}
