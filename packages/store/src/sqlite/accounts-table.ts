import type Database from 'better-sqlite3';
import type { AccountRecord, CommitRecords } from '../port/records.js';
import { type AccountRow, accountRecord } from '../port/record-rows.js';

const toRecord = accountRecord;

/** accounts: epoch and high-water mark per account. */
export class AccountsTable {
  readonly #all: Database.Statement;
  readonly #get: Database.Statement;
  readonly #insert: Database.Statement;
  readonly #progress: Database.Statement;
  readonly #epoch: Database.Statement;

  constructor(db: Database.Database) {
    this.#all = db.prepare('SELECT * FROM accounts ORDER BY name');
    this.#get = db.prepare('SELECT * FROM accounts WHERE name = ?');
    this.#insert = db.prepare('INSERT OR IGNORE INTO accounts (name, created_at) VALUES (?, ?)');
    this.#progress = db.prepare('UPDATE accounts SET hwm = ?, last_row_at = COALESCE(?, last_row_at), message_count = ? WHERE name = ?');
    this.#epoch = db.prepare('UPDATE accounts SET epoch = epoch + 1, hwm = 0 WHERE name = ?');
  }

  all(): AccountRecord[] {
    return (this.#all.all() as AccountRow[]).map(toRecord);
  }

  get(name: string): AccountRecord | undefined {
    const row = this.#get.get(name) as AccountRow | undefined;
    return row && toRecord(row);
  }

  ensure(name: string): AccountRecord {
    this.#insert.run(name, new Date().toISOString());
    return this.get(name)!;
  }

  progress(p: CommitRecords['accounts'][number]): void {
    this.#progress.run(p.hwm, p.lastRowAt ?? null, p.messageCount, p.name);
  }

  newEpoch(name: string): AccountRecord {
    this.ensure(name);
    this.#epoch.run(name);
    return this.get(name)!;
  }
}
