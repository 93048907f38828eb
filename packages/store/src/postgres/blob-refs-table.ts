import type { BlobUpload } from '../port/store.js';
import { type Queryable, type SqlPart, stmt } from './pg-session.js';

/**
 * blob_refs: which accounts' messages (or `token:<id>` uploaders, with size and upload time)
 * reference each stored blob; what upload quotas count and what collection may forget.
 */
export class BlobRefsTable {
  async owners(db: Queryable, sha256: string): Promise<string[]> {
    const r = await db.query<{ account: string }>(stmt('SELECT account FROM blob_refs WHERE sha256 = $1 ORDER BY account COLLATE "C"', [sha256]));
    return r.rows.map((x) => x.account);
  }

  async known(db: Queryable, shas: readonly string[]): Promise<Set<string>> {
    const r = await db.query<{ sha256: string }>(stmt('SELECT DISTINCT sha256 FROM blob_refs WHERE sha256 = ANY($1)', [shas]));
    return new Set(r.rows.map((x) => x.sha256));
  }

  async add(db: Queryable, refs: readonly { sha256: string; owner: string }[]): Promise<void> {
    const part = this.addPart(refs);
    if (part) await db.query(stmt(part.text, part.values));
  }

  /** The insert as a statement of its own or a part of the commit's one. */
  addPart(refs: readonly { sha256: string; owner: string }[]): SqlPart | undefined {
    if (refs.length === 0) return undefined;
    return {
      text: 'INSERT INTO blob_refs (sha256, account) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING',
      values: [refs.map((r) => r.sha256), refs.map((r) => r.owner)],
    };
  }

  async addUpload(db: Queryable, sha256: string, owner: string, upload: BlobUpload): Promise<void> {
    await db.query(
      stmt(
        'INSERT INTO blob_refs (sha256, account, size, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256, account) DO UPDATE SET size = EXCLUDED.size, created_at = EXCLUDED.created_at',
        [sha256, owner, upload.size, upload.at],
      ),
    );
  }

  async usage(db: Queryable, owner: string): Promise<{ bytes: number; count: number }> {
    const r = await db.query<{ bytes: string; count: string }>(
      stmt(
        `SELECT COALESCE(SUM(r.size), 0) AS bytes, COUNT(*) AS count FROM blob_refs r
         WHERE r.account = $1 AND NOT EXISTS (SELECT 1 FROM blob_refs m WHERE m.sha256 = r.sha256 AND left(m.account, 6) <> 'token:')`,
        [owner],
      ),
    );
    return { bytes: Number(r.rows[0]!.bytes), count: Number(r.rows[0]!.count) };
  }

  async collect(db: Queryable, before: number, limit: number): Promise<string[]> {
    const r = await db.query<{ sha256: string }>(
      // The bytes kept for every hub (blob_data) go with the refs, unless uploaded again since `before`.
      stmt(
        `WITH gone AS (
           DELETE FROM blob_refs WHERE sha256 IN (
             SELECT b.sha256 FROM blob_refs b GROUP BY b.sha256
             HAVING bool_and(left(b.account, 6) = 'token:') AND MAX(COALESCE(b.created_at, 0)) < $1
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.file IS NOT NULL AND o.state IN ('queued', 'dispatched', 'in_doubt') AND o.file->>'sha256' = b.sha256)
             LIMIT $2)
           RETURNING sha256),
         bytes AS (DELETE FROM blob_data d WHERE d.sha256 IN (SELECT sha256 FROM gone) AND d.stored_at < $1)
         SELECT DISTINCT sha256 FROM gone`,
        [before, limit],
      ),
    );
    return [...new Set(r.rows.map((x) => x.sha256))];
  }
}
