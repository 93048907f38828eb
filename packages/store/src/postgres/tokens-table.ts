import type { TokenRecord } from '../port/records.js';
import { type Queryable, stmt } from './pg-session.js';

interface TokenRow {
  id: string;
  secret_hash: Buffer;
  role: 'agent' | 'client';
  accounts: string[];
  label: string | null;
  created_at: string;
  revoked_at: string | null;
}

const toRecord = (r: TokenRow): TokenRecord => ({
  id: r.id,
  secretHash: r.secret_hash,
  role: r.role,
  accounts: r.accounts.includes('*') ? '*' : r.accounts,
  label: r.label ?? undefined,
  createdAt: r.created_at,
  revokedAt: r.revoked_at ?? undefined,
});

/** tokens: role, scope and the hash of each secret. */
export class TokensTable {
  async insert(db: Queryable, t: TokenRecord): Promise<void> {
    await db.query(
      stmt('INSERT INTO tokens (id, secret_hash, role, accounts, label, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        t.id,
        t.secretHash,
        t.role,
        JSON.stringify(t.accounts === '*' ? ['*'] : t.accounts),
        t.label ?? null,
        t.createdAt,
        t.revokedAt ?? null,
      ]),
    );
  }

  async get(db: Queryable, id: string): Promise<TokenRecord | undefined> {
    const row = (await db.query<TokenRow>(stmt('SELECT * FROM tokens WHERE id = $1', [id]))).rows[0];
    return row && toRecord(row);
  }

  async all(db: Queryable): Promise<TokenRecord[]> {
    return (await db.query<TokenRow>(stmt('SELECT * FROM tokens ORDER BY created_at COLLATE "C", id COLLATE "C"'))).rows.map(toRecord);
  }

  async revoke(db: Queryable, id: string, at: string): Promise<boolean> {
    const r = await db.query(stmt('UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id]));
    return (r.rowCount ?? 0) > 0;
  }
}
