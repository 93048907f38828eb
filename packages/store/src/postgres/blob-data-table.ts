import type { SharedBlobs } from '../port/shared-blobs.js';
import type { CallOrder } from './call-order.js';
import { type Queryable, stmt } from './pg-session.js';

/** blob_data: blob bytes every hub on the database can read (migrations-postgres/006-blob-data.sql). */
export class BlobDataTable implements SharedBlobs {
  readonly #db: Queryable;
  readonly #order: CallOrder;

  constructor(db: Queryable, order: CallOrder) {
    this.#db = db;
    this.#order = order;
  }

  put(sha256: string, data: Buffer, at: number): Promise<void> {
    return this.#order.write(async () => {
      // Bytes already there (the usual case for a re-upload): only the time, not 16 MiB again.
      const touched = await this.#db.query(stmt('UPDATE blob_data SET stored_at = GREATEST(stored_at, $2) WHERE sha256 = $1', [sha256, at]));
      if (touched.rowCount) return;
      await this.#db.query(
        stmt(
          'INSERT INTO blob_data (sha256, data, stored_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO UPDATE SET stored_at = GREATEST(blob_data.stored_at, EXCLUDED.stored_at)',
          [sha256, data, at],
        ),
      );
    });
  }

  get(sha256: string): Promise<Buffer | undefined> {
    return this.#order.read(async () => {
      const r = await this.#db.query<{ data: Buffer }>(stmt('SELECT data FROM blob_data WHERE sha256 = $1', [sha256]));
      return r.rows[0]?.data;
    });
  }
}
