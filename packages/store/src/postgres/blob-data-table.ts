import type { SharedBlobs } from '../port/shared-blobs.js';
import { type Queryable, stmt } from './pg-session.js';

/**
 * blob_data: blob bytes every hub on the database can read (migrations-postgres/006-blob-data.sql).
 * Outside the store's call order (CallOrder): bytes are named by their sha256 and never change, so
 * nothing depends on when they land, and a 16 MiB file must not hold up the commits behind it.
 */
export class BlobDataTable implements SharedBlobs {
  readonly #db: Queryable;

  constructor(db: Queryable) {
    this.#db = db;
  }

  async put(sha256: string, data: Buffer, at: number): Promise<void> {
    // Bytes already there (the usual case for a re-upload): only the time, not 16 MiB again.
    const touched = await this.#db.query(stmt('UPDATE blob_data SET stored_at = GREATEST(stored_at, $2) WHERE sha256 = $1', [sha256, at]));
    if (touched.rowCount) return;
    await this.#db.query(
      stmt(
        'INSERT INTO blob_data (sha256, data, stored_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO UPDATE SET stored_at = GREATEST(blob_data.stored_at, EXCLUDED.stored_at)',
        [sha256, data, at],
      ),
    );
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    const r = await this.#db.query<{ data: Buffer }>(stmt('SELECT data FROM blob_data WHERE sha256 = $1', [sha256]));
    return r.rows[0]?.data;
  }
}
