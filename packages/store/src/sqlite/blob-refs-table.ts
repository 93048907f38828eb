import type Database from 'better-sqlite3';
import type { BlobUpload } from '../port/store.js';

/**
 * blob_refs: which accounts' messages (or `token:<id>` uploaders, with size and upload time)
 * reference each stored blob; what upload quotas count and what collection may forget.
 */
export class BlobRefsTable {
  readonly #owners: Database.Statement;
  readonly #add: Database.Statement;
  readonly #addUpload: Database.Statement;
  readonly #usage: Database.Statement;
  readonly #collect: Database.Statement;
  readonly #known: Database.Statement;

  constructor(db: Database.Database) {
    this.#known = db.prepare('SELECT DISTINCT sha256 FROM blob_refs WHERE sha256 IN (SELECT value FROM json_each(?))');
    this.#owners = db.prepare('SELECT account FROM blob_refs WHERE sha256 = ? ORDER BY account');
    this.#add = db.prepare('INSERT OR IGNORE INTO blob_refs (sha256, account) VALUES (?, ?)');
    this.#addUpload = db.prepare(
      'INSERT INTO blob_refs (sha256, account, size, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256, account) DO UPDATE SET size = excluded.size, created_at = excluded.created_at',
    );
    this.#usage = db.prepare(
      `SELECT COALESCE(SUM(r.size), 0) AS bytes, COUNT(*) AS count FROM blob_refs r
       WHERE r.account = ? AND NOT EXISTS (SELECT 1 FROM blob_refs m WHERE m.sha256 = r.sha256 AND substr(m.account, 1, 6) <> 'token:')`,
    );
    this.#collect = db.prepare(
      `DELETE FROM blob_refs WHERE sha256 IN (
         SELECT b.sha256 FROM blob_refs b GROUP BY b.sha256
         HAVING SUM(substr(b.account, 1, 6) <> 'token:') = 0 AND MAX(COALESCE(b.created_at, 0)) < ?
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.file IS NOT NULL AND o.state IN ('queued', 'dispatched', 'in_doubt') AND json_extract(o.file, '$.sha256') = b.sha256)
         LIMIT ?)
       RETURNING sha256`,
    );
  }

  known(shas: readonly string[]): Set<string> {
    return new Set((this.#known.all(JSON.stringify(shas)) as { sha256: string }[]).map((r) => r.sha256));
  }

  owners(sha256: string): string[] {
    return (this.#owners.all(sha256) as { account: string }[]).map((r) => r.account);
  }

  add(sha256: string, owner: string, upload?: BlobUpload): void {
    if (upload) this.#addUpload.run(sha256, owner, upload.size, upload.at);
    else this.#add.run(sha256, owner);
  }

  usage(owner: string): { bytes: number; count: number } {
    const r = this.#usage.get(owner) as { bytes: number; count: number };
    return { bytes: r.bytes, count: r.count };
  }

  collect(before: number, limit: number): string[] {
    return [...new Set((this.#collect.all(before, limit) as { sha256: string }[]).map((r) => r.sha256))];
  }
}
