import type Database from 'better-sqlite3';

const key = (handle: string) => (handle.includes('@') ? handle.toLowerCase() : handle);

/** own_handles: which of our accounts a handle belongs to. Cached; written once per transaction. */
export class HandlesTable {
  readonly #db: Database.Database;
  readonly #owners = new Map<string, { account: string; source: 'config' | 'learned' }>();
  readonly #pending = new Map<string, string>();
  readonly #upsert: Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    for (const r of db.prepare('SELECT handle, account, source FROM own_handles').all() as {
      handle: string;
      account: string;
      source: 'config' | 'learned';
    }[]) {
      this.#owners.set(r.handle, { account: r.account, source: r.source });
    }
    this.#upsert = db.prepare(
      `INSERT INTO own_handles (handle, account, source) VALUES (?, ?, ?)
       ON CONFLICT (handle) DO UPDATE SET account = excluded.account, source = excluded.source
       WHERE own_handles.source = 'learned' OR excluded.source = 'config'`,
    );
  }

  owner(handle: string): string | undefined {
    return this.#owners.get(key(handle))?.account;
  }

  /** Accounts (other than `except`) owning any of these handles. */
  owners(handles: readonly string[], except?: string): string[] {
    const out = new Set<string>();
    for (const h of handles) {
      const a = this.owner(h);
      if (a && a !== except) out.add(a);
    }
    return [...out];
  }

  /** Notes a handle seen on an account's own row; configured owners are never overridden. */
  learn(handle: string, account: string): void {
    const k = key(handle);
    const known = this.#owners.get(k);
    if (known?.account === account || known?.source === 'config') return;
    this.#owners.set(k, { account, source: 'learned' });
    this.#pending.set(k, account);
  }

  /** Handles from the hub config; they win over learned ones. */
  configure(account: string, handles: readonly string[]): void {
    for (const h of handles) {
      const k = key(h);
      this.#owners.set(k, { account, source: 'config' });
      this.#upsert.run(k, account, 'config');
    }
  }

  flush(): void {
    for (const [handle, account] of this.#pending) this.#upsert.run(handle, account, 'learned');
    this.#pending.clear();
  }

  all(): { handle: string; account: string; source: string }[] {
    return [...this.#owners].map(([handle, o]) => ({ handle, ...o }));
  }

  reload(): void {
    this.#pending.clear();
    this.#owners.clear();
    for (const r of this.#db.prepare('SELECT handle, account, source FROM own_handles').all() as {
      handle: string;
      account: string;
      source: 'config' | 'learned';
    }[]) {
      this.#owners.set(r.handle, { account: r.account, source: r.source });
    }
  }
}
