import { type Queryable, stmt } from './pg-session.js';

/** blob_refs: which accounts' messages (or `token:<id>` uploaders) reference each stored blob. */
export class BlobRefsTable {
  async owners(db: Queryable, sha256: string): Promise<string[]> {
    const r = await db.query<{ account: string }>(stmt('SELECT account FROM blob_refs WHERE sha256 = $1 ORDER BY account COLLATE "C"', [sha256]));
    return r.rows.map((x) => x.account);
  }

  async add(db: Queryable, refs: readonly { sha256: string; owner: string }[]): Promise<void> {
    if (refs.length === 0) return;
    await db.query(
      stmt('INSERT INTO blob_refs (sha256, account) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING', [
        refs.map((r) => r.sha256),
        refs.map((r) => r.owner),
      ]),
    );
  }
}
