import type Database from 'better-sqlite3';
import type { TokenRecord } from '../port/records.js';

interface TokenRow {
  id: string;
  secret_hash: Buffer;
  role: 'agent' | 'client';
  accounts: string;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
}

const toRecord = (r: TokenRow): TokenRecord => {
  const accounts = JSON.parse(r.accounts) as string[];
  return {
    id: r.id,
    secretHash: r.secret_hash,
    role: r.role,
    accounts: accounts.includes('*') ? '*' : accounts,
    label: r.label ?? undefined,
    createdAt: r.created_at,
    revokedAt: r.revoked_at ?? undefined,
  };
};

/** tokens: role, scope and the hash of each secret. */
export class TokensTable {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  insert(t: TokenRecord): void {
    this.#db
      .prepare('INSERT INTO tokens (id, secret_hash, role, accounts, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(t.id, t.secretHash, t.role, JSON.stringify(t.accounts === '*' ? ['*'] : t.accounts), t.label ?? null, t.createdAt, t.revokedAt ?? null);
  }

  get(id: string): TokenRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM tokens WHERE id = ?').get(id) as TokenRow | undefined;
    return row && toRecord(row);
  }

  all(): TokenRecord[] {
    return (this.#db.prepare('SELECT * FROM tokens ORDER BY created_at, id').all() as TokenRow[]).map(toRecord);
  }

  revoke(id: string, at: string): boolean {
    return this.#db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes > 0;
  }
}
