import type Database from 'better-sqlite3';
import type { AccountRecord } from '../store.js';

interface AccountRow {
  name: string;
  epoch: number;
  hwm: number;
  last_row_at: string | null;
  message_count: number;
}

const toRecord = (r: AccountRow): AccountRecord => ({
  name: r.name,
  epoch: r.epoch,
  hwm: r.hwm,
  lastRowAt: r.last_row_at ?? undefined,
  messageCount: r.message_count,
});

/** accounts: epoch and high-water mark per account. Cached in memory; the cache is the hot path. */
export class AccountsTable {
  readonly #cache = new Map<string, AccountRecord>();
  readonly #insert: Database.Statement;
  readonly #progress: Database.Statement;
  readonly #epoch: Database.Statement;

  constructor(db: Database.Database) {
    for (const row of db.prepare('SELECT * FROM accounts').all() as AccountRow[]) {
      this.#cache.set(row.name, toRecord(row));
    }
    this.#insert = db.prepare('INSERT OR IGNORE INTO accounts (name, created_at) VALUES (?, ?)');
    this.#progress = db.prepare('UPDATE accounts SET hwm = ?, last_row_at = COALESCE(?, last_row_at), message_count = ? WHERE name = ?');
    this.#epoch = db.prepare('UPDATE accounts SET epoch = epoch + 1, hwm = 0 WHERE name = ?');
  }

  ensure(name: string): AccountRecord {
    const found = this.#cache.get(name);
    if (found) return found;
    this.#insert.run(name, new Date().toISOString());
    const record: AccountRecord = { name, epoch: 1, hwm: 0, lastRowAt: undefined, messageCount: 0 };
    this.#cache.set(name, record);
    return record;
  }

  get(name: string): AccountRecord | undefined {
    return this.#cache.get(name);
  }

  all(): AccountRecord[] {
    return [...this.#cache.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Records ingest progress; call inside the ingest transaction. */
  progress(name: string, hwm: number, lastRowAt: string | undefined, added: number): void {
    const record = this.ensure(name);
    record.hwm = hwm;
    if (lastRowAt) record.lastRowAt = lastRowAt;
    record.messageCount += added;
    this.#progress.run(hwm, lastRowAt ?? null, record.messageCount, name);
  }

  newEpoch(name: string): AccountRecord {
    const record = this.ensure(name);
    this.#epoch.run(name);
    record.epoch += 1;
    record.hwm = 0;
    return record;
  }

  /** Drops cached progress after a failed transaction so the cache matches the database again. */
  reload(db: Database.Database): void {
    this.#cache.clear();
    for (const row of db.prepare('SELECT * FROM accounts').all() as AccountRow[]) {
      this.#cache.set(row.name, toRecord(row));
    }
  }
}
