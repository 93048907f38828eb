import type { AffinityRecord, OwnHandleRecord } from '../port/records.js';
import { type Queryable, stmt } from './pg-session.js';

/** The last entry per key, in order (one upsert statement may not touch a row twice). */
const lastBy = <T>(list: readonly T[], key: (x: T) => string): T[] => [...new Map(list.map((x) => [key(x), x])).values()];

/** own_handles and affinity: small tables the hub loads whole and writes with commits. */
export class HandlesTable {
  async all(db: Queryable): Promise<OwnHandleRecord[]> {
    return (await db.query<OwnHandleRecord>(stmt('SELECT handle, account, source FROM own_handles ORDER BY handle COLLATE "C"'))).rows;
  }

  async put(db: Queryable, handles: readonly OwnHandleRecord[]): Promise<void> {
    if (handles.length === 0) return;
    const list = lastBy(handles, (h) => h.handle);
    await db.query(
      stmt(
        `INSERT INTO own_handles (handle, account, source) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
         ON CONFLICT (handle) DO UPDATE SET account = excluded.account, source = excluded.source`,
        [list.map((h) => h.handle), list.map((h) => h.account), list.map((h) => h.source)],
      ),
    );
  }

  async affinity(db: Queryable): Promise<AffinityRecord[]> {
    return (await db.query<AffinityRecord>(stmt('SELECT handle, account, seq FROM affinity ORDER BY handle COLLATE "C"'))).rows;
  }

  async putAffinity(db: Queryable, affinity: readonly AffinityRecord[]): Promise<void> {
    if (affinity.length === 0) return;
    const list = lastBy(affinity, (a) => a.handle);
    await db.query(
      stmt(
        `INSERT INTO affinity (handle, account, seq) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
         ON CONFLICT (handle) DO UPDATE SET account = excluded.account, seq = excluded.seq`,
        [list.map((a) => a.handle), list.map((a) => a.account), list.map((a) => a.seq)],
      ),
    );
  }
}
