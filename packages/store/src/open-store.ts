import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './port/store.js';
import type { Durability } from './sqlite/database.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/** Which store the hub keeps its state in. SQLite (one file in the data directory) is the default. */
export type StoreConfig = { kind: 'sqlite'; path: string; durability?: Durability };

/** Opens the configured store adapter; the one place that names adapters. */
export async function openStore(config: StoreConfig, options: { backgroundCheckpoint?: boolean } = {}): Promise<Store> {
  switch (config.kind) {
    case 'sqlite':
      return new SqliteStore(config.path, { ...(config.durability ? { durability: config.durability } : {}), ...options });
  }
}

/** The embedded default: `<dataDir>/hub.db`, created 0700. */
export function sqliteStoreConfig(dataDir: string, durability?: Durability): StoreConfig {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return { kind: 'sqlite', path: join(dataDir, 'hub.db'), ...(durability ? { durability } : {}) };
}

export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { openDatabase, migrate, type Durability } from './sqlite/database.js';
