import type Database from 'better-sqlite3';
import { tableColumns } from './schema-probe.js';

export type RowValue = string | number | bigint | Buffer | null;

/**
 * Inserts rows with whatever columns the table really has, so the same writer serves Messages'
 * full schema and the minimal test fixtures imsg uses (columns a table lacks are dropped).
 */
export class RowInserter {
  readonly #db: Database.Database;
  readonly #columns = new Map<string, Set<string>>();
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  has(table: string, column: string): boolean {
    return this.#columnsOf(table).has(column.toLowerCase());
  }

  /** Inserts and returns the new rowid. */
  insert(table: string, record: Record<string, RowValue | undefined>): number {
    const cols = this.#columnsOf(table);
    const keys = Object.keys(record).filter((k) => record[k] !== undefined && cols.has(k.toLowerCase()));
    const key = `${table}\u0000${keys.join(',')}`;
    let stmt = this.#statements.get(key);
    if (!stmt) {
      stmt = this.#db.prepare(`INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map((k) => `@${k}`).join(', ')})`);
      this.#statements.set(key, stmt);
    }
    const values: Record<string, RowValue> = {};
    for (const k of keys) values[k] = record[k]!;
    return Number(stmt.run(values).lastInsertRowid);
  }

  #columnsOf(table: string): Set<string> {
    let cols = this.#columns.get(table);
    if (!cols) {
      cols = tableColumns(this.#db, table);
      this.#columns.set(table, cols);
    }
    return cols;
  }
}
