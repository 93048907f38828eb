import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './port/store.js';
import type { Durability } from './sqlite/database.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/**
 * Which store the hub keeps its state in. SQLite (one file in the data directory) is the default;
 * PostgreSQL (a `postgres://` URL) lets several hubs share one fleet's state.
 */
export type StoreConfig = { kind: 'sqlite'; path: string; durability?: Durability } | { kind: 'postgres'; url: string; poolSize?: number };

/** Opens the configured store adapter; the one place that names adapters. */
export async function openStore(config: StoreConfig, options: { backgroundCheckpoint?: boolean } = {}): Promise<Store> {
  switch (config.kind) {
    case 'sqlite': {
      const store = new SqliteStore(config.path, { ...(config.durability ? { durability: config.durability } : {}), ...options });
      // Owner-only, whatever the umask was when an older version created them.
      for (const suffix of ['', '-wal', '-shm']) if (existsSync(config.path + suffix)) chmodSync(config.path + suffix, 0o600);
      return store;
    }
    case 'postgres':
      return PostgresStore.open(config.url, config.poolSize !== undefined ? { poolSize: config.poolSize } : {});
  }
}

/** The embedded default: `<dataDir>/hub.db`. The directory is made (or made again) 0700: it holds messages. */
export function sqliteStoreConfig(dataDir: string, durability?: Durability): StoreConfig {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  return { kind: 'sqlite', path: join(dataDir, 'hub.db'), ...(durability ? { durability } : {}) };
}

export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { openDatabase, migrate, type Durability } from './sqlite/database.js';
export { PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
export { migratePostgres } from './postgres/migrate.js';
export { copySqliteToPostgres, type CopyProgress } from './postgres/copy-from-sqlite.js';
