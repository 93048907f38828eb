import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { inTransaction, LOCK_SPACE, MIGRATE_LOCK } from './pg-session.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations-postgres/', import.meta.url));

/**
 * Applies `migrations-postgres/NNN-*.sql` above the database's recorded version, all in one
 * transaction under an advisory lock: hubs that start together wait for each other, and each
 * migration is applied exactly once. Returns the version the database is at.
 */
export async function migratePostgres(pool: pg.Pool): Promise<number> {
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}-.+\.sql$/.test(f))
    .sort();
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, MIGRATE_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS store_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const current = (await client.query<{ v: number }>('SELECT COALESCE(MAX(version), 0) AS v FROM store_migrations')).rows[0]!.v;
    const newest = files.length ? Number(files[files.length - 1]!.slice(0, 3)) : 0;
    if (current > newest) {
      throw new Error(`the database is at store schema ${current}, newer than this imsg-hub knows (${newest}): upgrade imsg-hub`);
    }
    let version = current;
    for (const file of files) {
      const n = Number(file.slice(0, 3));
      if (n <= current) continue;
      await client.query(readFileSync(MIGRATIONS_DIR + file, 'utf8'));
      await client.query('INSERT INTO store_migrations (version, name) VALUES ($1, $2)', [n, file]);
      version = n;
    }
    return version;
  });
}
