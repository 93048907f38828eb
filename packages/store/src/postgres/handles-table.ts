import type { AffinityRecord, OwnHandleRecord } from '../port/records.js';
import { type Queryable, type SqlPart, stmt } from './pg-session.js';

/** The last entry per key, in order (one upsert statement may not touch a row twice). */
const lastBy = <T>(list: readonly T[], key: (x: T) => string): T[] => [...new Map(list.map((x) => [key(x), x])).values()];

/** own_handles and affinity: small tables the hub loads whole and writes with commits. */
export class HandlesTable {
  async all(db: Queryable): Promise<OwnHandleRecord[]> {
    return (await db.query<OwnHandleRecord>(stmt('SELECT handle, account, source FROM own_handles ORDER BY handle COLLATE "C"'))).rows;
  }

  async put(db: Queryable, handles: readonly OwnHandleRecord[]): Promise<void> {
    const part = this.putPart(handles);
    if (part) await db.query(stmt(part.text, part.values));
  }

  /** The upsert as a statement of its own or a part of the commit's one. */
  putPart(handles: readonly OwnHandleRecord[]): SqlPart | undefined {
    if (handles.length === 0) return undefined;
    const list = lastBy(handles, (h) => h.handle);
    return {
      text: `INSERT INTO own_handles (handle, account, source) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
         ON CONFLICT (handle) DO UPDATE SET account = excluded.account, source = excluded.source`,
      values: [list.map((h) => h.handle), list.map((h) => h.account), list.map((h) => h.source)],
    };
  }

  async affinity(db: Queryable): Promise<AffinityRecord[]> {
    return (await db.query<AffinityRecord>(stmt('SELECT handle, account, seq FROM affinity ORDER BY handle COLLATE "C"'))).rows;
  }

  async putAffinity(db: Queryable, affinity: readonly AffinityRecord[]): Promise<void> {
    const part = this.affinityPart(affinity);
    if (part) await db.query(stmt(part.text, part.values));
  }

  /** The upsert as a statement of its own or a part of the commit's one. */
  affinityPart(affinity: readonly AffinityRecord[]): SqlPart | undefined {
    if (affinity.length === 0) return undefined;
    const list = lastBy(affinity, (a) => a.handle);
    return {
      text: `INSERT INTO affinity (handle, account, seq) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
         ON CONFLICT (handle) DO UPDATE SET account = excluded.account, seq = excluded.seq`,
      values: [list.map((a) => a.handle), list.map((a) => a.account), list.map((a) => a.seq)],
    };
  }
}
