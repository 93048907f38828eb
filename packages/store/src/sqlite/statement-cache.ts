import type Database from 'better-sqlite3';

/** Prepared statements for SQL built per query shape: each distinct text is prepared once. */
export class StatementCache {
  readonly #db: Database.Database;
  readonly #byText = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  get(sql: string): Database.Statement {
    let stmt = this.#byText.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      this.#byText.set(sql, stmt);
    }
    return stmt;
  }
}
