import type Database from 'better-sqlite3';
import type { AffinityRecord, OwnHandleRecord } from '../port/records.js';

/** own_handles and affinity: small tables the hub loads whole and writes with commits. */
export class HandlesTable {
  readonly #all: Database.Statement;
  readonly #upsert: Database.Statement;
  readonly #affinityAll: Database.Statement;
  readonly #affinityUpsert: Database.Statement;

  constructor(db: Database.Database) {
    this.#all = db.prepare('SELECT handle, account, source FROM own_handles ORDER BY handle');
    this.#upsert = db.prepare(
      'INSERT INTO own_handles (handle, account, source) VALUES (?, ?, ?) ON CONFLICT (handle) DO UPDATE SET account = excluded.account, source = excluded.source',
    );
    this.#affinityAll = db.prepare('SELECT handle, account, seq FROM affinity ORDER BY handle');
    this.#affinityUpsert = db.prepare(
      'INSERT INTO affinity (handle, account, seq) VALUES (?, ?, ?) ON CONFLICT (handle) DO UPDATE SET account = excluded.account, seq = excluded.seq',
    );
  }

  all(): OwnHandleRecord[] {
    return this.#all.all() as OwnHandleRecord[];
  }

  put(h: OwnHandleRecord): void {
    this.#upsert.run(h.handle, h.account, h.source);
  }

  affinity(): AffinityRecord[] {
    return this.#affinityAll.all() as AffinityRecord[];
  }

  putAffinity(a: AffinityRecord): void {
    this.#affinityUpsert.run(a.handle, a.account, a.seq);
  }
}
