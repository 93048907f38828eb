import { HubError } from '@imsg-hub/hub-protocol';
import type { OutboxRecord, Store, TokenRecord } from '@imsg-hub/store';
import { blobVisible } from './blob-access.js';
import type { BlobStore } from './blob-store.js';

/** A file a client names for a send or an action: uploaded to this hub, visible to its token, within the size limit. */
export async function outboundFile(
  store: Store,
  blobs: BlobStore,
  client: TokenRecord,
  file: { sha256: string; name: string },
): Promise<NonNullable<OutboxRecord['file']>> {
  const size = (await blobVisible(store, client, file.sha256)) && (await blobs.localPath(file.sha256)) ? blobs.size(file.sha256) : undefined;
  if (size === undefined) throw new HubError('NOT_FOUND', `file ${file.sha256} is not in the hub; upload it first (upload.begin/chunk/finish)`);
  if (size > blobs.maxBytes) throw new HubError('PAYLOAD_TOO_LARGE', `file of ${size} bytes exceeds the limit of ${blobs.maxBytes}`);
  return { sha256: file.sha256, name: file.name, size };
}
