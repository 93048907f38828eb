import type Database from 'better-sqlite3';

/** Where an account's inbound stream stands: every row ≤ `acked` in `epoch` is durable in the hub. */
export interface Cursor {
  epoch: number;
  acked: number;
  lastRowAt?: string;
}

/** An acked row worth remembering for the replacement check. */
export interface SeenRow {
  rowid: number;
  guid: string;
}

const SEEN_KEEP = 20_000;

/** Persists cursors, advanced only on the hub's ack (design.md, inbound contract 4). */
export class CursorStore {
  readonly #get: Database.Statement<[string], { epoch: number; acked: number; last_row_at: string | null }>;
  readonly #put: Database.Statement<[string, number, number, string | null, number]>;
  readonly #seen: Database.Statement<[string, number, string]>;
  readonly #seenByGuid: Database.Statement<[string, string], { rowid: number }>;
  readonly #clearSeen: Database.Statement<[string]>;
  readonly #prune: Database.Statement<[string, string, number]>;
  readonly #ack: (account: string, epoch: number, acked: number, rows: readonly SeenRow[], lastRowAt: string | undefined) => boolean;
  readonly #reset: (account: string, epoch: number, acked: number) => void;
  #acksSincePrune = 0;

  constructor(db: Database.Database) {
    this.#get = db.prepare('SELECT epoch, acked, last_row_at FROM cursor WHERE account = ?');
    this.#put = db.prepare(
      `INSERT INTO cursor (account, epoch, acked, last_row_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account) DO UPDATE SET epoch = excluded.epoch, acked = excluded.acked,
         last_row_at = COALESCE(excluded.last_row_at, cursor.last_row_at), updated_at = excluded.updated_at`,
    );
    this.#seen = db.prepare('INSERT OR REPLACE INTO seen (account, rowid, guid) VALUES (?, ?, ?)');
    this.#seenByGuid = db.prepare('SELECT rowid FROM seen WHERE account = ? AND guid = ? ORDER BY rowid DESC LIMIT 1');
    this.#clearSeen = db.prepare('DELETE FROM seen WHERE account = ?');
    this.#prune = db.prepare(
      `DELETE FROM seen WHERE account = ? AND rowid < (
         SELECT rowid FROM seen WHERE account = ? ORDER BY rowid DESC LIMIT 1 OFFSET ?)`,
    );
    this.#ack = db.transaction((account, epoch, acked, rows, lastRowAt) => {
      const cur = this.get(account);
      if (cur && (cur.epoch !== epoch || cur.acked >= acked)) return false;
      this.#put.run(account, epoch, acked, lastRowAt ?? null, Date.now());
      for (const r of rows) if (r.guid) this.#seen.run(account, r.rowid, r.guid);
      return true;
    });
    this.#reset = db.transaction((account, epoch, acked) => {
      const cur = this.get(account);
      if (!cur || cur.epoch !== epoch) this.#clearSeen.run(account);
      this.#put.run(account, epoch, acked, null, Date.now());
    });
  }

  get(account: string): Cursor | undefined {
    const row = this.#get.get(account);
    if (!row) return undefined;
    return row.last_row_at ? { epoch: row.epoch, acked: row.acked, lastRowAt: row.last_row_at } : { epoch: row.epoch, acked: row.acked };
  }

  /** Sets the resume point the hub gave (it is authoritative); a new epoch forgets seen rows. */
  reset(account: string, epoch: number, acked: number): void {
    this.#reset(account, epoch, acked);
  }

  /** Advances the cursor to `acked` (never backwards, never across epochs); true if it moved. */
  ack(account: string, epoch: number, acked: number, rows: readonly SeenRow[] = [], lastRowAt?: string): boolean {
    const moved = this.#ack(account, epoch, acked, rows, lastRowAt);
    if (moved && ++this.#acksSincePrune >= 100) {
      this.#acksSincePrune = 0;
      this.#prune.run(account, account, SEEN_KEEP);
    }
    return moved;
  }

  /** The rowid an acked row with this guid had, if it is among the recent ones. */
  seenRowid(account: string, guid: string): number | undefined {
    return this.#seenByGuid.get(account, guid)?.rowid;
  }
}
