/**
 * Blob bytes kept in the store itself, for stores several hubs share (PostgreSQL): a hub that has
 * no copy of a blob in its data dir fetches it from here. Collection (`Store.collectBlobs`) deletes
 * the bytes of the blobs it forgets.
 */
export interface SharedBlobs {
  /** Keeps a blob's bytes under its sha256 (the caller checked it), or refreshes `at` (Unix ms) when they are there. */
  put(sha256: string, data: Buffer, at: number): Promise<void>;
  /** A blob's bytes, or undefined when the store has none. */
  get(sha256: string): Promise<Buffer | undefined>;
}
