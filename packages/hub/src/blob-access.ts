import type { Store, TokenRecord } from '@imsg-hub/store';

/** The blob reference that marks who uploaded a blob: the uploader may send and fetch it. */
export function uploaderRef(tokenId: string): string {
  return `token:${tokenId}`;
}

/**
 * Whether a client token may fetch a blob: every blob for an unscoped token; otherwise only blobs
 * referenced by messages of an account the token sees, or uploaded with this token. (A sha256 is not a secret: it can be guessed
 * for a known file, so knowing one must not be enough.)
 */
export async function blobVisible(store: Store, token: TokenRecord, sha256: string): Promise<boolean> {
  if (token.accounts === '*') return true;
  const scope = token.accounts;
  return (await store.blobOwners(sha256)).some((a) => scope.includes(a) || a === uploaderRef(token.id));
}
